// Issue 13 §2 (hardening): the prediction ALB's transport (HTTPS with a redirect, or a plaintext
// internal mode stated as such), authentication on the listener, and deletion protection.
import { SecretValue, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import fc from 'fast-check';
import { ModelRegistry } from '../../lib/model-registry';
import { PredictionService, PredictionServiceProps, ServiceAuthentication, ServiceTransport } from '../../lib/prediction-service';
import { PredictionStore } from '../../lib/prediction-store';
import { AccessMode } from '../../lib/spec/model-spec';
import { testApp } from '../support/cdk';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const TRUST = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:truststore/clients/0123456789abcdef';
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf';

function synth(extra: (s: Stack) => Partial<PredictionServiceProps>): Template {
  const stack = new Stack(testApp(), 'S');
  new PredictionService(stack, 'Service', {
    registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions'), models: [{ model: 'demand-forecast' }], ...extra(stack),
  });
  return Template.fromStack(stack);
}
const certificate = (s: Stack) => acm.Certificate.fromCertificateArn(s, 'Cert', CERT);
const trustStore = (s: Stack) => elbv2.TrustStore.fromTrustStoreArn(s, 'Trust', TRUST);
const jwt = () => ServiceAuthentication.jwt({ issuer: ISSUER, jwksEndpoint: `${ISSUER}/.well-known/jwks.json` });
const oidc = () => ServiceAuthentication.oidc({
  issuer: 'https://idp.example.com', authorizationEndpoint: 'https://idp.example.com/authorize', tokenEndpoint: 'https://idp.example.com/token',
  userInfoEndpoint: 'https://idp.example.com/userinfo', clientId: 'predictions', clientSecret: SecretValue.unsafePlainText('test-secret'),
  onUnauthenticatedRequest: elbv2.UnauthenticatedAction.DENY,
});
const cognitoAuth = (s: Stack) => {
  const userPool = cognito.UserPool.fromUserPoolId(s, 'Pool', 'eu-west-1_AbCdEf');
  return ServiceAuthentication.cognito({
    userPool,
    userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(s, 'Client', 'abcdefghij1234567890'),
    userPoolDomain: cognito.UserPoolDomain.fromDomainName(s, 'Domain', 'predictions-login'),
  });
};
const defaultActionTypes = (t: Template): string[][] =>
  Object.values(t.findResources('AWS::ElasticLoadBalancingV2::Listener'))
    .map((l) => (l.Properties.DefaultActions as Array<{ Type: string }>).map((a) => a.Type));

describe('prediction load balancer deletion protection', () => {
  test('is on by default', () => {
    synth(() => ({})).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
  });

  test('deletionProtection: false turns it off', () => {
    synth(() => ({ deletionProtection: false })).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.not(Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }])),
    });
  });
});

describe('prediction listener transport', () => {
  test('a certificate gives HTTPS on 443 (TLS 1.3 policy) and HTTP 80 only redirects to it', () => {
    const t = synth((s) => ({ certificate: certificate(s) }));
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', Certificates: [{ CertificateArn: CERT }] });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }) }],
    });
  });

  test('the plaintext internal mode is a stated choice: explicit value, internal load balancer, HTTP on 80', () => {
    const t = synth(() => ({ access: { transport: ServiceTransport.PLAINTEXT_INTERNAL } }));
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
  });

  test('HTTPS without a certificate, plaintext with one, and authentication on plaintext are refused, naming the fix', () => {
    expect(() => synth(() => ({ access: { transport: ServiceTransport.HTTPS } })))
      .toThrow(/access.transport https needs certificate, but none was provided: give certificate, or set access.transport to ServiceTransport.PLAINTEXT_INTERNAL/);
    expect(() => synth((s) => ({ certificate: certificate(s), access: { transport: ServiceTransport.PLAINTEXT_INTERNAL } })))
      .toThrow(/access.transport plaintext-internal serves plaintext only, but a certificate was provided/);
    expect(() => synth(() => ({ access: { authentication: jwt() } })))
      .toThrow(/access.authentication \(jwt\) runs on the HTTPS listener only, but access.transport is plaintext-internal: give certificate, or remove access.authentication/);
  });
});

describe('authentication on the prediction listener', () => {
  test('JWT: bearer tokens are verified before forwarding, and the load balancer may fetch the keys over HTTPS', () => {
    const t = synth((s) => ({ certificate: certificate(s), access: { authentication: jwt() } }));
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      DefaultActions: [
        { Type: 'jwt-validation', Order: 1, JwtValidationConfig: Match.objectLike({ Issuer: ISSUER, JwksEndpoint: `${ISSUER}/.well-known/jwks.json` }) },
        Match.objectLike({ Type: 'forward', Order: 2 }),
      ],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'prediction service load balancer',
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, Description: 'HTTPS to the identity provider (jwt)' })]),
    });
  });

  test('OIDC and Cognito: the listener authenticates first, then forwards to the tasks', () => {
    const o = synth((s) => ({ certificate: certificate(s), access: { authentication: oidc() } }));
    o.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      DefaultActions: [
        { Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: Match.objectLike({ Issuer: 'https://idp.example.com', ClientId: 'predictions', OnUnauthenticatedRequest: 'deny' }) },
        Match.objectLike({ Type: 'forward', Order: 2 }),
      ],
    });
    const c = synth((s) => ({ certificate: certificate(s), access: { authentication: cognitoAuth(s) } }));
    c.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      DefaultActions: [Match.objectLike({ Type: 'authenticate-cognito', Order: 1 }), Match.objectLike({ Type: 'forward', Order: 2 })],
    });
  });

  test('an internet-facing endpoint may rely on authentication instead of client certificates', () => {
    const t = synth((s) => ({ certificate: certificate(s), access: { mode: AccessMode.INTERNET, authentication: jwt() } }));
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    expect(defaultActionTypes(t)).toEqual([['jwt-validation', 'forward']]);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'prediction service load balancer',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, Description: 'HTTPS from internet clients the listener authenticates (jwt)' })],
    });
  });
});

// Every combination a user can write either fails at synth naming an access field or the
// certificate, or yields a listener set that holds the invariants below.
describe('transport, authentication and access mode combinations', () => {
  test('no plaintext with authentication or on the internet, HTTPS exactly with a certificate, the internet always authenticated', () => {
    const auths = [undefined, 'jwt', 'oidc', 'cognito'] as const;
    fc.assert(fc.property(
      fc.record({
        cert: fc.boolean(),
        trust: fc.boolean(),
        transport: fc.constantFrom(undefined, ServiceTransport.HTTPS, ServiceTransport.PLAINTEXT_INTERNAL),
        auth: fc.constantFrom(...auths),
        mode: fc.constantFrom(AccessMode.VPC, AccessMode.PRIVATE_LINK, AccessMode.INTERNET),
      }),
      (c) => {
        const extra = (s: Stack): Partial<PredictionServiceProps> => ({
          certificate: c.cert ? certificate(s) : undefined,
          access: {
            mode: c.mode,
            transport: c.transport,
            trustStore: c.trust ? trustStore(s) : undefined,
            authentication: c.auth === 'jwt' ? jwt() : c.auth === 'oidc' ? oidc() : c.auth === 'cognito' ? cognitoAuth(s) : undefined,
            allowedPrincipals: c.mode === AccessMode.PRIVATE_LINK ? [new iam.ArnPrincipal('arn:aws:iam::111122223333:root')] : undefined,
          },
        });
        let t: Template;
        try {
          t = synth(extra);
        } catch (e) {
          expect((e as Error).message).toMatch(/^(access\.(mode|transport|authentication|trustStore)|certificate) /);
          return;
        }
        const listeners = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::Listener')).map((l) => l.Properties);
        const served = listeners.filter((l) => l.DefaultActions.some((a: { Type: string }) => a.Type === 'forward'));
        const alb = listeners.filter((l) => l.Protocol !== 'TCP');
        expect(served.filter((l) => l.Protocol !== 'TCP').every((l) => l.Protocol === (c.cert ? 'HTTPS' : 'HTTP'))).toBe(true);
        // Only a redirect may listen in plaintext beside HTTPS.
        if (c.cert) expect(alb.filter((l) => l.Protocol === 'HTTP').every((l) => l.DefaultActions[0].Type === 'redirect')).toBe(true);
        const authenticated = (l: { DefaultActions: Array<{ Type: string }>; MutualAuthentication?: unknown }) =>
          l.MutualAuthentication !== undefined || l.DefaultActions[0].Type !== 'forward';
        if (c.auth) expect(served.filter((l) => l.Protocol === 'HTTPS').every((l) => l.DefaultActions[0].Type !== 'forward')).toBe(true);
        if (c.mode === AccessMode.INTERNET) {
          expect(alb.every((l) => l.Protocol === 'HTTPS' && authenticated(l))).toBe(true);
        }
      },
    ), { numRuns: 40 });
  });
});

// Issue 20 point 1: PredictionService's client paths (access modes) as a construct, and the spec
// field that chooses them (`inference.access`): an open internet endpoint is refused at synth,
// and a setting another mode would ignore is an error at the field that holds it.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ModelRegistry } from '../../lib/model-registry';
import { PredictionService, PredictionServiceProps } from '../../lib/prediction-service';
import { PredictionStore } from '../../lib/prediction-store';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { AccessMode } from '../../lib/spec/model-spec';
import { nagFindings, testApp } from '../support/cdk';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const TRUST = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:truststore/clients/0123456789abcdef';

function service(stack: Stack, extra: (s: Stack) => Partial<PredictionServiceProps>): PredictionService {
  return new PredictionService(stack, 'Service', {
    registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions'), models: [{ model: 'demand-forecast' }], ...extra(stack),
  });
}
const certificate = (s: Stack) => acm.Certificate.fromCertificateArn(s, 'Cert', CERT);
const trustStore = (s: Stack) => elbv2.TrustStore.fromTrustStoreArn(s, 'Trust', TRUST);

describe('PredictionService access modes', () => {
  test('an internet-facing endpoint without a certificate or a trust store fails at synth, naming the fix', () => {
    expect(() => service(new Stack(testApp(), 'S'), () => ({ access: { mode: AccessMode.INTERNET } })))
      .toThrow(/access.mode internet needs certificate \(HTTPS\) and access.trustStore \(client certificates\) or access.authentication \(verified tokens or logins\), but certificate was not provided: an internet-facing prediction endpoint without authentication is refused/);
    expect(() => service(new Stack(testApp(), 'S'), (s) => ({ access: { mode: AccessMode.INTERNET }, certificate: certificate(s) })))
      .toThrow(/but neither access.trustStore nor access.authentication was provided/);
  });

  test('settings another mode would ignore are refused', () => {
    expect(() => service(new Stack(testApp(), 'S'), () => ({ access: { mode: AccessMode.PRIVATE_LINK } })))
      .toThrow(/access.allowedPrincipals must list at least one principal with access.mode private-link/);
    expect(() => service(new Stack(testApp(), 'S'), () => ({ access: { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::111122223333:root')] } })))
      .toThrow(/access.allowedPrincipals applies to access.mode private-link, but mode vpc was provided/);
    expect(() => service(new Stack(testApp(), 'S'), () => ({ access: { mode: AccessMode.PRIVATE_LINK, clientPeers: [ec2.Peer.ipv4('10.1.0.0/16')], allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::111122223333:root')] } })))
      .toThrow(/access.clientPeers applies to access.mode vpc/);
    expect(() => service(new Stack(testApp(), 'S'), (s) => ({ access: { trustStore: trustStore(s) } })))
      .toThrow(/access.trustStore needs certificate/);
  });

  test('internet-facing in a given VPC without public subnets is refused, naming the fix', () => {
    const stack = new Stack(testApp(), 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    expect(() => service(stack, (s) => ({ vpc, certificate: certificate(s), access: { mode: AccessMode.INTERNET, trustStore: trustStore(s) } })))
      .toThrow(/needs public subnets in vpc for the load balancer, but the given vpc has none/);
  });

  test('standalone internet-facing: its own VPC gets public subnets (no public IP on launch), the ALB listens on 443 only with mutual TLS', () => {
    const stack = new Stack(testApp(), 'S');
    service(stack, (s) => ({ certificate: certificate(s), access: { mode: AccessMode.INTERNET, trustStore: trustStore(s) } }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    t.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false }, 4);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, MutualAuthentication: { Mode: 'verify', TrustStoreArn: TRUST } });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'prediction service load balancer', SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'HTTPS from internet clients with a certificate from the trust store' }] });
  });

  test.each([
    ['vpc, with a client CIDR', (): Partial<PredictionServiceProps> => ({ access: { clientPeers: [ec2.Peer.ipv4('10.20.0.0/16')] } })],
    ['private-link', (): Partial<PredictionServiceProps> => ({ access: { mode: AccessMode.PRIVATE_LINK, allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::111122223333:root')] } })],
    ['internet with mutual TLS', (s: Stack): Partial<PredictionServiceProps> => ({ certificate: certificate(s), access: { mode: AccessMode.INTERNET, trustStore: trustStore(s) } })],
  ])('%s: nag-clean (AwsSolutions) in an env-specific stack', (_mode, extra) => {
    expect(nagFindings((app) => { service(new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } }), extra); })).toEqual([]);
  });
});

describe('inference.access in the spec', () => {
  const example = parse(readFileSync(join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml'), 'utf8'));
  // The example with an image URI: its Dockerfile folder is not next to the test's file name.
  const raw = { name: 'demand-forecast', ...example, training: { ...example.training, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand-forecast:1' } };
  const problems = (access: unknown, serving = 'service') => parseModelSpecObject({ ...raw, inference: { ...raw.inference, serving, access } }, { file: 'models/demand-forecast/model.yaml' }).problems
    .map((p) => `${p.path}: ${p.expected} (${p.fix})`);

  test('defaults to mode vpc with no extra client networks', () => {
    const { spec } = parseModelSpecObject(raw, { file: 'models/demand-forecast/model.yaml' });
    expect(spec!.inference.access).toEqual({ mode: AccessMode.VPC, clientCidrs: [], clientPrefixLists: [], allowedPrincipals: [] });
  });

  test('internet without a certificate and a trust store is refused at the field', () => {
    expect(problems({ mode: 'internet', certificate: CERT })).toEqual([
      expect.stringMatching(/^inference.access.trustStore: a certificate and a trust store with mode internet .*an internet endpoint without authentication is refused/),
    ]);
    expect(problems({ mode: 'internet' })[0]).toMatch(/^inference.access.certificate: /);
  });

  test('settings of another mode, malformed values and access without a service front end are each named', () => {
    expect(problems({ mode: 'private-link' })).toEqual([expect.stringMatching(/^inference.access.allowedPrincipals: at least one principal with mode private-link/)]);
    expect(problems({ mode: 'private-link', allowedPrincipals: ['arn:aws:iam::111122223333:root'], clientCidrs: ['10.0.0.0/8'] }))
      .toEqual([expect.stringMatching(/^inference.access.clientCidrs: no clientCidrs with mode private-link \(it applies to mode vpc\)/)]);
    expect(problems({ clientCidrs: ['10.0.0/8'], clientPrefixLists: ['prefix'] })).toEqual([
      expect.stringMatching(/^inference.access.clientCidrs\[0\]: an IPv4 CIDR/),
      expect.stringMatching(/^inference.access.clientPrefixLists\[0\]: a prefix list id/),
    ]);
    expect(problems({ mode: 'private-link', allowedPrincipals: ['arn:aws:iam::111122223333:root'] }, 'api'))
      .toEqual([expect.stringMatching(/^inference.access: no access settings with front end "api" \(they apply to serving: service\)/)]);
  });
});

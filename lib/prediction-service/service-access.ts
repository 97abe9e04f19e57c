import { Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GuardFindings, acknowledgeGuard } from '../common/guard';
import { AccessMode } from '../spec/model-spec';
import { ServiceAuthentication, ServiceTransport } from './service-authentication';

/** How clients reach a {@link PredictionService} (README: "Reaching a prediction endpoint"). */
export interface ServiceAccessProps {
  /**
   * The client path.
   * @default AccessMode.VPC - an internal load balancer that admits the VPC's CIDR and `clientPeers`
   */
  readonly mode?: AccessMode;
  /**
   * Client networks routed to the VPC (peering, Transit Gateway, VPN) besides the VPC itself,
   * mode `VPC` only: `ec2.Peer.ipv4('10.20.0.0/16')`, `ec2.Peer.prefixList('pl-...')`.
   * @default - the VPC's CIDR only
   */
  readonly clientPeers?: ec2.IPeer[];
  /**
   * Principals that may connect an interface endpoint to the endpoint service (mode
   * `PRIVATE_LINK`, required there), e.g. `new iam.ArnPrincipal('arn:aws:iam::111122223333:root')`.
   * Connections from them are accepted without a manual step: the list is the gate.
   * @default - none
   */
  readonly allowedPrincipals?: iam.ArnPrincipal[];
  /**
   * Trust store of the client CAs: the HTTPS listener verifies client certificates (mutual TLS).
   * Required for mode `INTERNET`; needs `certificate`.
   * @default - no client certificates asked
   */
  readonly trustStore?: elbv2.ITrustStore;
  /**
   * How the listener carries requests. `PLAINTEXT_INTERNAL` states the plaintext internal mode
   * deliberately; `HTTPS` needs `certificate`.
   * @default - `HTTPS` when `certificate` is given, else `PLAINTEXT_INTERNAL` (internal load balancer only)
   */
  readonly transport?: ServiceTransport;
  /**
   * Requests are authenticated on the listener (JWT bearer tokens, OIDC or Cognito) before they
   * reach a task. Needs HTTPS; on `AccessMode.INTERNET` it may stand in for `trustStore`.
   * @default - no authentication on the listener (the network path is the gate)
   */
  readonly authentication?: ServiceAuthentication;
}

/** The validated client path and transport. */
export interface ValidatedAccess {
  readonly mode: AccessMode;
  readonly transport: ServiceTransport;
}

/** Refuses access settings that leave an endpoint open or a setting ignored; errors name the field, the value and the fix. */
export function validateAccess(access: ServiceAccessProps, certificate: acm.ICertificate | undefined): ValidatedAccess {
  const mode = access.mode ?? AccessMode.VPC;
  const transport = access.transport ?? (certificate ? ServiceTransport.HTTPS : ServiceTransport.PLAINTEXT_INTERNAL);
  const principals = access.allowedPrincipals ?? [];
  if (mode === AccessMode.INTERNET && (!certificate || !(access.trustStore || access.authentication))) {
    throw new Error(`access.mode ${mode} needs certificate (HTTPS) and access.trustStore (client certificates) or access.authentication (verified tokens or logins), but ${!certificate ? 'certificate was not provided' : 'neither access.trustStore nor access.authentication was provided'}: `
      + 'an internet-facing prediction endpoint without authentication is refused; give certificate and one of them, or use AccessMode.VPC or AccessMode.PRIVATE_LINK');
  }
  if (transport === ServiceTransport.HTTPS && !certificate) {
    throw new Error(`access.transport ${transport} needs certificate, but none was provided: give certificate, or set access.transport to ServiceTransport.PLAINTEXT_INTERNAL for plaintext inside the network`);
  }
  if (transport === ServiceTransport.PLAINTEXT_INTERNAL && certificate) {
    throw new Error(`access.transport ${transport} serves plaintext only, but a certificate was provided: remove access.transport (HTTPS follows from the certificate), or remove certificate`);
  }
  if (access.authentication && transport !== ServiceTransport.HTTPS) {
    throw new Error(`access.authentication (${access.authentication.kind}) runs on the HTTPS listener only, but access.transport is ${transport}: give certificate, or remove access.authentication`);
  }
  if (access.trustStore && !certificate) {
    throw new Error('access.trustStore needs certificate (client certificates are verified on the HTTPS listener), but no certificate was provided: give certificate, or remove access.trustStore');
  }
  if (mode === AccessMode.PRIVATE_LINK && !Token.isUnresolved(principals) && principals.length === 0) {
    throw new Error(`access.allowedPrincipals must list at least one principal with access.mode ${mode}, but none was provided: give e.g. [new iam.ArnPrincipal('arn:aws:iam::111122223333:root')]`);
  }
  if (mode !== AccessMode.PRIVATE_LINK && principals.length > 0) {
    throw new Error(`access.allowedPrincipals applies to access.mode ${AccessMode.PRIVATE_LINK}, but mode ${mode} was provided: remove allowedPrincipals, or set mode ${AccessMode.PRIVATE_LINK}`);
  }
  if (mode !== AccessMode.VPC && (access.clientPeers ?? []).length > 0) {
    throw new Error(`access.clientPeers applies to access.mode ${AccessMode.VPC}, but mode ${mode} was provided: remove clientPeers, or set mode ${AccessMode.VPC}`);
  }
  return { mode, transport };
}

/**
 * PrivateLink: an internal NLB forwards TCP to the ALB listener (an ALB-type target), and a VPC
 * endpoint service on the NLB lets the allowed principals connect interface endpoints. The NLB's
 * security group has no ingress rule and does not filter PrivateLink traffic, so endpoint
 * connections are all that come in; the ALB admits the NLB's security group only.
 * Construct ids: `PrivateLinkSecurityGroup`, `PrivateLinkLoadBalancer`, `EndpointService`.
 */
export function privateLinkEndpoint(scope: Construct, o: {
  alb: elbv2.ApplicationLoadBalancer; listener: elbv2.ApplicationListener; port: number; subnets: ec2.SubnetSelection; allowedPrincipals: iam.ArnPrincipal[]; deletionProtection: boolean;
}): ec2.VpcEndpointService {
  const vpc = o.alb.vpc!;
  const nlbSg = new ec2.SecurityGroup(scope, 'PrivateLinkSecurityGroup', { vpc, description: 'prediction service PrivateLink load balancer', allowAllOutbound: false });
  const nlb = new elbv2.NetworkLoadBalancer(scope, 'PrivateLinkLoadBalancer', {
    vpc,
    internetFacing: false,
    vpcSubnets: o.subnets,
    crossZoneEnabled: true,
    securityGroups: [nlbSg],
    enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: false,
    deletionProtection: o.deletionProtection,
  });
  acknowledgeGuard(nlb, GuardFindings.tcpPassThroughLogs());
  o.alb.connections.allowFrom(nlbSg, ec2.Port.tcp(o.port), 'from the PrivateLink load balancer');
  nlb.addListener('Tcp', { port: o.port, protocol: elbv2.Protocol.TCP })
    .addTargets('Alb', { port: o.port, protocol: elbv2.Protocol.TCP, targets: [new elbv2targets.AlbListenerTarget(o.listener)] });
  return new ec2.VpcEndpointService(scope, 'EndpointService', {
    vpcEndpointServiceLoadBalancers: [nlb],
    acceptanceRequired: false,
    allowedPrincipals: o.allowedPrincipals,
  });
}

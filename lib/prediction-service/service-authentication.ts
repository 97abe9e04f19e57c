import { Duration, SecretValue } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2actions from 'aws-cdk-lib/aws-elasticloadbalancingv2-actions';

/** How the prediction load balancer's listener carries requests. */
export enum ServiceTransport {
  /** HTTPS on 443 with `certificate`; HTTP on 80 only redirects to it (not on an internet-facing endpoint, which listens on 443 only). */
  HTTPS = 'https',
  /**
   * Plaintext HTTP on 80, on an internal load balancer only, chosen deliberately: requests and
   * answers cross the VPC (or the routed client networks, or PrivateLink) unencrypted, so TLS, if
   * the data calls for it, is the client network's concern. Refused with `certificate` and with
   * `AccessMode.INTERNET`.
   */
  PLAINTEXT_INTERNAL = 'plaintext-internal',
}

/** Bearer tokens (JWT) verified by the load balancer: the choice for machine clients. */
export interface JwtAuthenticationProps {
  /** Issuer the token's `iss` claim must name, a full HTTPS URL (e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC`). */
  readonly issuer: string;
  /** The issuer's JSON Web Key Set URL, reachable by the load balancer. */
  readonly jwksEndpoint: string;
}

/** An OpenID Connect identity provider; unauthenticated requests start the browser login flow unless told otherwise. */
export interface OidcAuthenticationProps {
  /** Issuer, a full HTTPS URL. */
  readonly issuer: string;
  /** Authorization endpoint, a full HTTPS URL. */
  readonly authorizationEndpoint: string;
  /** Token endpoint, a full HTTPS URL. */
  readonly tokenEndpoint: string;
  /** User info endpoint, a full HTTPS URL. */
  readonly userInfoEndpoint: string;
  /** OAuth 2.0 client id. */
  readonly clientId: string;
  /** OAuth 2.0 client secret (e.g. `SecretValue.secretsManager(...)`). */
  readonly clientSecret: SecretValue;
  /**
   * What happens to a request without a session: `DENY` answers 401 (API clients).
   * @default elbv2.UnauthenticatedAction.AUTHENTICATE - redirect to the identity provider
   */
  readonly onUnauthenticatedRequest?: elbv2.UnauthenticatedAction;
  /**
   * Longest authentication session.
   * @default Duration.days(7)
   */
  readonly sessionTimeout?: Duration;
}

/** A Cognito user pool with a hosted domain and an app client that has a secret. */
export interface CognitoAuthenticationProps {
  /** The user pool. */
  readonly userPool: cognito.IUserPool;
  /** The app client (with a client secret and the load balancer's `/oauth2/idpresponse` callback). */
  readonly userPoolClient: cognito.IUserPoolClient;
  /** The user pool's domain. */
  readonly userPoolDomain: cognito.IUserPoolDomain;
  /**
   * What happens to a request without a session: `DENY` answers 401 (API clients).
   * @default elbv2.UnauthenticatedAction.AUTHENTICATE - redirect to the hosted login
   */
  readonly onUnauthenticatedRequest?: elbv2.UnauthenticatedAction;
  /**
   * Longest authentication session.
   * @default Duration.days(7)
   */
  readonly sessionTimeout?: Duration;
}

/**
 * Authentication on the HTTPS listener: the load balancer verifies every request before it
 * reaches a task. It fetches keys and tokens from the identity provider over HTTPS, so the load
 * balancer's security group gets HTTPS egress, and an internal load balancer needs a route to
 * the provider (a NAT gateway, or a provider inside the network).
 */
export abstract class ServiceAuthentication {
  /** Verifies bearer tokens (JWT) signed by `issuer`: no login flow, requests without a valid token get 401. */
  static jwt(props: JwtAuthenticationProps): ServiceAuthentication {
    return new (class extends ServiceAuthentication {
      _action(next: elbv2.ListenerAction): elbv2.ListenerAction {
        return elbv2.ListenerAction.authenticateJwt({ next, issuer: props.issuer, jwksEndpoint: props.jwksEndpoint });
      }
    })('jwt');
  }

  /** Authenticates users with an OpenID Connect provider (session cookie after login). */
  static oidc(props: OidcAuthenticationProps): ServiceAuthentication {
    return new (class extends ServiceAuthentication {
      _action(next: elbv2.ListenerAction): elbv2.ListenerAction {
        return elbv2.ListenerAction.authenticateOidc({ ...props, next, allowHttpsOutbound: true });
      }
    })('oidc');
  }

  /** Authenticates users with a Cognito user pool (session cookie after login). */
  static cognito(props: CognitoAuthenticationProps): ServiceAuthentication {
    return new (class extends ServiceAuthentication {
      _action(next: elbv2.ListenerAction): elbv2.ListenerAction {
        return new elbv2actions.AuthenticateCognitoAction({ ...props, next, allowHttpsOutbound: true });
      }
    })('cognito');
  }

  /** @param kind what verifies requests: `jwt`, `oidc` or `cognito` */
  protected constructor(readonly kind: string) {}

  /**
   * The listener action that authenticates, then runs `next`.
   * @internal
   */
  abstract _action(next: elbv2.ListenerAction): elbv2.ListenerAction;
}

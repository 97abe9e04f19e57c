// Credentials of the lean signed clients, without loading the AWS SDK at module init: Lambda
// puts its role's credentials in the environment (valid for the sandbox's life), so the
// front end reads them there, as the SDK's env provider would. Elsewhere (ECS task role,
// profiles), the SDK's default chain is loaded on the first request, memoized and refreshed
// before expiry by the SDK itself.
import { Credentials } from './sigv4';

/** A memoizing credentials source for `env`. */
export function credentialSource(env: NodeJS.ProcessEnv): () => Promise<Credentials> {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    const credentials: Credentials = { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
    return async () => credentials;
  }
  let chain: Promise<() => Promise<Credentials>> | undefined;
  return async () => {
    chain ??= import('@aws-sdk/credential-provider-node').then((m) => m.defaultProvider());
    return (await chain)();
  };
}

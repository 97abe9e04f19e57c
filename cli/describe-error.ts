// Exit code and text of any error a command throws: CLI errors as they are, registry errors by
// their code, and AWS configuration problems with what is missing and how to set it.
import { RegistryError } from '../lambda/shared/registry/errors';
import { CLI_ENV } from './env';
import { CliError, EXIT } from './errors';

export interface DescribedError {
  readonly code: number;
  readonly message: string;
  readonly fix?: string;
}

/** How to run against DynamoDB Local and friends instead of an AWS account. */
const LOCAL = `or use the local emulators instead of AWS: ${CLI_ENV.registryTable}=<table> ${CLI_ENV.dynamodbEndpoint}=http://127.0.0.1:<port>`
  + ` (${CLI_ENV.sfnEndpoint} and ${CLI_ENV.ssmEndpoint} likewise) with AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`;

/** When `mlops local up` runs in this folder, the missing AWS configuration most likely means a forgotten --local. */
const LOCAL_UP = 'or, for the platform of mlops local up running in this folder, add --local to the command';

/** `localUp`: a live `mlops local up` platform belongs to the working directory. */
export function describeError(e: unknown, env: Record<string, string | undefined>, localUp = false): DescribedError {
  const local = localUp ? LOCAL_UP : LOCAL;
  if (e instanceof CliError) return { code: e.code, message: e.message, fix: e.fix };
  if (e instanceof RegistryError) {
    const code = e.code === 'VALIDATION' ? EXIT.usage : e.code === 'NOT_FOUND' ? EXIT.notFound : EXIT.conflict;
    return { code, message: e.message };
  }
  const err = e as { name?: string; message?: string };
  const name = err?.name ?? '';
  const profile = env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE;
  const profileText = profile ? `profile "${profile}" (AWS_PROFILE)` : 'the default profile';
  if (/^Region is missing/.test(err?.message ?? '')) {
    return {
      code: EXIT.other,
      message: `no AWS region is configured: AWS_REGION and AWS_DEFAULT_REGION are not set and ${profileText} has no region in ~/.aws/config`,
      fix: `export AWS_REGION=<region> (e.g. eu-west-1), or set AWS_PROFILE to a profile with a region; ${local}`,
    };
  }
  if (name === 'CredentialsProviderError') {
    return {
      code: EXIT.other,
      message: `no AWS credentials found: AWS_ACCESS_KEY_ID is not set and ${profileText} has no usable credentials${profile ? ' (or does not exist in ~/.aws/config)' : ''} (AWS SDK: ${err.message})`,
      fix: `log in (\`aws sso login${profile ? ` --profile ${profile}` : ''}\` or \`aws configure\`), set AWS_PROFILE to a configured profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; ${local}`,
    };
  }
  if (/ExpiredToken|UnrecognizedClient|InvalidClientTokenId|InvalidSignature/.test(name)) {
    return { code: EXIT.other, message: `AWS rejected the credentials (${name}: ${err.message})`, fix: 'log in again (e.g. `aws sso login`) or set AWS_PROFILE, then retry' };
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return { code: EXIT.other, message: `access denied: ${err.message}`, fix: 'ask the platform team for the data-scientist role, or check AWS_PROFILE' };
  }
  if (name === 'ResourceNotFoundException') {
    return { code: EXIT.notFound, message: err.message ?? name, fix: 'check --platform / --registry-table: the table or resource does not exist in this account and region' };
  }
  // A plain Error's name says nothing ("error: Error: ..."); a named one (an AWS exception) does.
  return { code: EXIT.other, message: `${name && name !== 'Error' ? `${name}: ` : ''}${err?.message ?? String(e)}` };
}

import { Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3Trigger } from 'aws-cdk-lib/aws-codepipeline-actions';
import { CodePipelineSource } from 'aws-cdk-lib/pipelines';
import { DeliveryPropsError } from './delivery-props-error';

/** A repository reached through AWS CodeConnections (GitHub, GitLab, Bitbucket). */
export interface CodeConnectionSourceProps {
  /** ARN of the connection, e.g. `arn:aws:codeconnections:eu-west-1:111111111111:connection/<id>`. */
  readonly connectionArn: string;
  /** The repository as `owner/name`, e.g. `acme/ml-platform`. */
  readonly repository: string;
  /**
   * The branch that releases.
   * @default 'main'
   */
  readonly branch?: string;
}

/** A source archive (zip) in S3, for accounts without a route to a Git host (air-gapped). */
export interface S3ArchiveSourceProps {
  /** The bucket that holds the archive; it must be versioned (CodePipeline reads object versions). */
  readonly bucket: s3.IBucket;
  /** Key of the zip archive of the repository, e.g. `releases/ml-platform.zip`. */
  readonly objectKey: string;
}

/** Where the pipeline takes the repository from: exactly one of the two. */
export interface DeliverySourceProps {
  /**
   * A Git repository through AWS CodeConnections.
   * @default - none; `s3Archive` must be given
   */
  readonly codeConnection?: CodeConnectionSourceProps;
  /**
   * A zip archive in S3 (air-gapped accounts).
   * @default - none; `codeConnection` must be given
   */
  readonly s3Archive?: S3ArchiveSourceProps;
}

const CONNECTION_ARN = /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
const BRANCH = /^[^\s~^:?*[\\]+$/;

/** The problems of a source, each naming the field, the value and the fix (empty when valid). */
export function sourceProblems(source: DeliverySourceProps): string[] {
  const { codeConnection: c, s3Archive: a } = source;
  if (c && a) return ['source: both codeConnection and s3Archive were given; fix: give one (codeConnection for a Git host, s3Archive for an air-gapped account)'];
  if (!c && !a) return ['source: neither codeConnection nor s3Archive was given; fix: give codeConnection { connectionArn, repository, branch } or s3Archive { bucket, objectKey }'];
  const problems: string[] = [];
  const check = (field: string, value: string | undefined, pattern: RegExp, fix: string) => {
    if (value !== undefined && Token.isUnresolved(value)) return;
    if (value === undefined || !pattern.test(value)) problems.push(`${field} is ${JSON.stringify(value)}; fix: ${fix}`);
  };
  if (c) {
    check('source.codeConnection.connectionArn', c.connectionArn, CONNECTION_ARN,
      'use the ARN of an AVAILABLE connection (arn:aws:codeconnections:<region>:<account>:connection/<id>), from the console or `aws codeconnections list-connections`');
    check('source.codeConnection.repository', c.repository, REPOSITORY, 'write the repository as owner/name, e.g. "acme/ml-platform"');
    check('source.codeConnection.branch', c.branch ?? 'main', BRANCH, 'use a branch name without spaces or ~^:?*[\\, e.g. "main"');
  }
  if (a) check('source.s3Archive.objectKey', a.objectKey, /^[^/].*\.zip$/, 'use the key of a zip archive without a leading "/", e.g. "releases/ml-platform.zip"');
  return problems;
}

/** The CodePipeline source for validated props. */
export function codePipelineSource(source: DeliverySourceProps): CodePipelineSource {
  const problems = sourceProblems(source);
  if (problems.length) throw new DeliveryPropsError(problems);
  if (source.codeConnection) {
    const c = source.codeConnection;
    return CodePipelineSource.connection(c.repository, c.branch ?? 'main', { connectionArn: c.connectionArn, triggerOnPush: true });
  }
  const a = source.s3Archive!;
  // Events need a CloudTrail trail on the bucket, which an air-gapped account may not have.
  return CodePipelineSource.s3(a.bucket, a.objectKey, { trigger: S3Trigger.POLL });
}

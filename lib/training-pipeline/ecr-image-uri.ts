// The one parser of private ECR image URIs (training images, composition steps, model images).
import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@digest]`. */
const ECR_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([a-z0-9._/-]+?)(?::([A-Za-z0-9._-]+)|@(sha256:[a-f0-9]{64}))?$/;

/** The parts of a private ECR image URI. */
export interface EcrImageUri {
  readonly account: string;
  readonly region: string;
  /** `aws`, or `aws-cn` for an `amazonaws.com.cn` registry. */
  readonly partition: string;
  readonly repositoryName: string;
  readonly tag?: string;
  /** `sha256:<64 hex digits>`. */
  readonly digest?: string;
}

/**
 * Parses `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@sha256:digest]`: the one
 * place that recognises a private ECR image. Undefined for other registries and for tokens.
 */
export function parseEcrImageUri(uri: string): EcrImageUri | undefined {
  const m = Token.isUnresolved(uri) ? null : ECR_URI.exec(uri);
  if (!m) return undefined;
  const [, account, region, cn, repositoryName, tag, digest] = m;
  return { account, region, partition: cn ? 'aws-cn' : 'aws', repositoryName, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * Imports the private ECR repository of `uri` (its own account and region) with the tag or digest
 * to pull; undefined for another registry. Pull grants then name that repository only.
 */
export function importEcrImage(scope: Construct, id: string, uri: string): { repository: ecr.IRepository; tagOrDigest: string } | undefined {
  const e = parseEcrImageUri(uri);
  if (!e) return undefined;
  const repository = ecr.Repository.fromRepositoryAttributes(scope, id, {
    repositoryName: e.repositoryName,
    repositoryArn: Stack.of(scope).formatArn({ service: 'ecr', account: e.account, region: e.region, resource: 'repository', resourceName: e.repositoryName }),
  });
  return { repository, tagOrDigest: e.digest ?? e.tag ?? 'latest' };
}

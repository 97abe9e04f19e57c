// Lineage holds up only if the image a version records is the image that trained it. A tag
// (`:latest`, `:v3`, a CDK asset hash) can be pushed again; a digest cannot. So the plan step
// pins an ECR image given by tag to its digest with DescribeImages, and every version of the
// execution records `<repository>@sha256:...`. Images outside ECR, or already given by digest,
// are recorded as given, and so is an image the function may not describe (a repository in
// another account whose policy allows pulls only): a warning says so, training goes on.
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ValidationError } from '../registry/errors';
import { LogFn } from './deps';

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:<tag>]` (no digest). */
const ECR_TAGGED = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+)(?::([A-Za-z0-9._-]+))?$/;

/** An ECR client for a region (the image's registry may be in another region than the function). */
export type EcrClientFor = (region: string) => ECRClient;

/** The ECR image URI pinned by digest; any other URI unchanged. */
export async function pinImageDigest(imageUri: string, ecrFor: EcrClientFor, log: LogFn): Promise<string> {
  const m = ECR_TAGGED.exec(imageUri);
  if (!m) return imageUri;
  const [, registryId, region, repositoryName, tag = 'latest'] = m;
  const repository = imageUri.slice(0, imageUri.length - (m[4] === undefined ? 0 : tag.length + 1));
  try {
    const res = await ecrFor(region).send(new DescribeImagesCommand({ registryId, repositoryName, imageIds: [{ imageTag: tag }] }));
    const digest = res.imageDetails?.[0]?.imageDigest;
    if (!digest) throw new ValidationError('training image', imageUri, `ECR returned no digest for tag "${tag}" of ${repository}; push the image again`);
    return `${repository}@${digest}`;
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') {
      throw new ValidationError('training image', imageUri, `${name === 'ImageNotFoundException' ? `tag "${tag}" does not exist in` : 'there is no'} ECR repository ${repository}: push the image, or point the spec's training.image at one that exists`);
    }
    if (name === 'AccessDeniedException') {
      log('WARN', 'training image not pinned by digest: DescribeImages was denied; versions record the tag', { image: imageUri, fix: `allow ecr:DescribeImages on ${repository} to the plan function's role` });
      return imageUri;
    }
    throw e;
  }
}

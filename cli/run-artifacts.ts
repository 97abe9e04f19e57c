// What a run produced, as the buckets hold it: each named artifact of the run record with the
// objects under it. Shared by `mlops artifacts` and the run view of `mlops ui`.
import { S3Client, _Object } from '@aws-sdk/client-s3';
import type { Run } from '../lambda/shared/registry';
import { listAll } from '../lambda/shared/training/s3';

/** One artifact of a run: its URI, where it is, and the objects it is made of. */
export interface ListedArtifact {
  readonly name: string;
  readonly uri: string;
  /** Undefined when the URI is not an s3:// URI (nothing is listed). */
  readonly loc?: { readonly bucket: string; readonly key: string };
  readonly objects: _Object[];
}

/** `s3://bucket/key` -> parts. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  return m ? { bucket: m[1], key: m[2] } : undefined;
}

/** The run's artifacts by name: a prefix artifact (model/, output/) lists every object under it; a file lists itself. */
export async function listRunArtifacts(s3: S3Client, run: Run): Promise<ListedArtifact[]> {
  return Promise.all(Object.keys(run.artifacts).sort().map(async (name) => {
    const uri = run.artifacts[name];
    const loc = parseS3Uri(uri);
    const objects = loc ? (await listAll(s3, loc.bucket, loc.key)).filter((o) => uri.endsWith('/') || o.Key === loc.key) : [];
    return { name, uri, loc, objects };
  }));
}

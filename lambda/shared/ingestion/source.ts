// The built-in ingestion sources (an S3 prefix, an HTTP(S) endpoint): what the construct fixes
// for the fetch function, the limits of one run, and the rules on their values. The spec, the
// construct and the handler all use these, so a URL the spec accepts is one the handler fetches.

/** Environment variable holding the JSON {@link FetchConfig}. */
export const INGEST_SOURCE_ENV = 'MLOPS_INGEST_SOURCE_CONFIG';

/**
 * Limits of one run of a built-in source. A run holds one object (or response) in memory at a
 * time, and the delivery step joins a category's files in memory (1 GiB function): 128 MiB
 * keeps both well inside their memory. Larger windows: ingest more often, or use a container job.
 */
export const SOURCE_LIMITS: SourceLimits = {
  maxObjects: 1000,
  maxBytes: 128 * 1024 * 1024,
  requestTimeoutMs: 60_000,
};

export interface SourceLimits {
  /** Objects copied by one run, all categories together. */
  readonly maxObjects: number;
  /** Bytes copied or downloaded by one run, all categories together. */
  readonly maxBytes: number;
  /** Longest one HTTP request may take, headers and body (ms). */
  readonly requestTimeoutMs: number;
}

/** Header that carries the secret when the spec names none. */
export const DEFAULT_SECRET_HEADER = 'Authorization';

/** Placeholders an HTTP source's URL may hold, each replaced by its URL-encoded value. */
export const URL_PLACEHOLDERS = ['category', 'start', 'end'] as const;

export interface S3SourceConfig {
  readonly bucket: string;
  /** Key prefix ending in "/", or "" for the whole bucket; a category's objects are under `<prefix><category>/`. */
  readonly prefix: string;
}

export interface HttpSourceConfig {
  /** `https://...` with optional `{category}`, `{start}`, `{end}`. */
  readonly url: string;
  /** Secrets Manager secret id (name or complete ARN) whose value is sent in `header`. */
  readonly secretId?: string;
  readonly header: string;
}

/** What the construct fixes for a model's fetch function (MLOPS_INGEST_SOURCE_CONFIG). Exactly one of `s3` and `http`. */
export interface FetchConfig {
  readonly model: string;
  readonly categories: readonly string[];
  readonly format: 'csv' | 'jsonl';
  /** The artifacts bucket and the prefix each run stages under (`<prefix><runId>/<category>/<file>`), as the Fargate wrapper does. */
  readonly stagingBucket: string;
  readonly stagingPrefix: string;
  /** KMS key of the staged objects (SSE-KMS). */
  readonly kmsKeyId?: string;
  /** {@link SOURCE_LIMITS}, written by the construct. */
  readonly limits: SourceLimits;
  readonly s3?: S3SourceConfig;
  readonly http?: HttpSourceConfig;
}

/** A run that would go past {@link SOURCE_LIMITS}: nothing is staged, the window fails. */
export class SourceLimitExceeded extends Error {
  override readonly name = 'SourceLimitExceeded';
}

/** A copied body that does not match its source's checksum: the window fails naming the object. */
export class ChecksumMismatch extends Error {
  override readonly name = 'ChecksumMismatch';
}

/** The HTTP source answered something other than 2xx, or too much, or too late. */
export class HttpSourceError extends Error {
  override readonly name = 'HttpSourceError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why a source URL (a template, placeholders allowed) is refused, or undefined when it is fine:
 * https only; plain http only to a loopback host (tests and local runs); no credentials in it
 * (they belong in the secret); only the known placeholders.
 */
export function sourceUrlProblem(template: string): string | undefined {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).filter((p) => !(URL_PLACEHOLDERS as readonly string[]).includes(p));
  if (unknown.length > 0) return `only the placeholders ${URL_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')} (found {${unknown[0]}})`;
  let url: URL;
  try {
    url = new URL(expandUrl(template, { category: 'c', start: 's', end: 'e' }));
  } catch {
    return 'an absolute URL such as "https://api.example.com/export?from={start}&to={end}"';
  }
  if (url.username || url.password) return 'a URL without credentials (put them in the secret)';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return undefined;
  return url.protocol === 'http:' ? 'an https:// URL (plain http only to a loopback host, for tests)' : `an https:// URL, not ${url.protocol}`;
}

/** The URL of one category's request: each placeholder replaced by its URL-encoded value. */
export function expandUrl(template: string, values: { readonly category: string; readonly start: string; readonly end: string }): string {
  return template.replace(/\{(category|start|end)\}/g, (_, name: keyof typeof values) => encodeURIComponent(values[name]));
}

/** `s3://bucket/prefix/` split, or undefined when it is not one (the prefix ends in "/" or is empty). */
export function parseS3SourceUri(uri: string): S3SourceConfig | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/((?:[^/]+\/)*)$/.exec(uri);
  return m ? { bucket: m[1], prefix: m[2] } : undefined;
}

/** HTTP header names (RFC 9110 tokens). */
export const HEADER_NAME_PATTERN = "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$";

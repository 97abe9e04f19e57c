// The spec's `data.ingestion.source` block: the built-in sources (an S3 prefix, an HTTP(S)
// endpoint) that a platform Lambda function fetches instead of a container job. The URL and
// header rules are the fetch handler's own (lambda/shared/ingestion/source.ts).
import { Field, ResolveContext, obj, text } from './fields';
import { HttpSourceSpec, IngestionSourceSpec, S3SourceSpec } from './model-spec';
import { DEFAULT_SECRET_HEADER, HEADER_NAME_PATTERN, parseS3SourceUri, sourceUrlProblem } from '../../lambda/shared/ingestion/source';

const KMS_KEY_ARN = '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$';
const SECRET = '^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}|[A-Za-z0-9/_+=.@-]{1,512})$';

type ParsedS3Source = Omit<S3SourceSpec, 'bucket' | 'prefix'>;

const s3Fields = obj<ParsedS3Source>({
  uri: text({
    description: 'The source prefix, in this or another account: each run copies the objects under <uri><category>/ whose LastModified is in the window.',
    required: true, examples: ['s3://partner-exports/demand/'], placeholder: 's3://bucket/prefix/',
    check: (v) => (parseS3SourceUri(v) ? undefined : 'an S3 URI of a bucket and a prefix ending in "/", such as "s3://partner-exports/demand/"'),
    expected: 'an S3 URI such as "s3://partner-exports/demand/"', fix: 'write s3://<bucket>/<prefix>/ (with the trailing "/")',
  }),
  kmsKey: text({
    description: 'ARN of the customer KMS key the source objects are encrypted with (the fetch function gets kms:Decrypt on it; its key policy must allow this account). Default: none (SSE-S3 or an AWS managed key).',
    pattern: KMS_KEY_ARN, examples: ['arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    expected: 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; not an alias)', fix: 'write the key\'s ARN, or remove kmsKey',
  }),
}, { description: 'Copy new objects from an S3 prefix (with checksums).' });

const s3Field: Field<S3SourceSpec | undefined> = {
  ...s3Fields,
  default: undefined,
  parse(value, path, ctx) {
    const p = s3Fields.parse(value, path, ctx);
    const at = p && parseS3SourceUri(p.uri);
    return p && at ? { ...p, ...at } : undefined;
  },
};

const httpFields = obj<HttpSourceSpec>({
  url: text({
    description: 'URL GET once per category for the window; {category}, {start} and {end} (ISO instants) are replaced URL-encoded. https only (http only to a loopback host, for tests); redirects are not followed.',
    required: true, examples: ['https://api.example.com/export/{category}?from={start}&to={end}'], placeholder: 'https://example.com/{category}', maxLength: 2048,
    check: sourceUrlProblem, expected: 'an https:// URL', fix: 'write e.g. "https://api.example.com/export/{category}?from={start}&to={end}"',
  }),
  secret: text({
    description: 'Secrets Manager secret (name, or complete ARN) whose SecretString is sent as the header\'s value; or a JSON secret {"header": ..., "value": ...}. Default: no header.',
    pattern: SECRET, examples: ['demand/partner-api-token'],
    expected: 'a Secrets Manager secret name or complete ARN (ending in the 6-character suffix)', fix: 'write the secret\'s name, e.g. "demand/partner-api-token", or its ARN as the console shows it',
  }),
  header: text({
    description: 'Header that carries the secret.', default: DEFAULT_SECRET_HEADER, pattern: HEADER_NAME_PATTERN, examples: ['X-Api-Key'],
    expected: 'an HTTP header name', fix: 'write e.g. "Authorization" or "X-Api-Key"',
  }),
}, { description: 'GET an HTTP(S) endpoint once per category; the body is the category\'s file (csv or jsonl, as data.format).' });

const httpField: Field<HttpSourceSpec | undefined> = { ...httpFields, default: undefined };

const sourceFields = obj<IngestionSourceSpec>({ s3: s3Field, http: httpField }, {
  description: 'A built-in source fetched by a platform Lambda function instead of a job: exactly one of s3 and http. Exclusive with command and image. Default: none.',
});

/** `data.ingestion.source`: exactly one of s3 and http. */
export const ingestionSourceField: Field<IngestionSourceSpec | undefined> = {
  ...sourceFields,
  default: undefined,
  schema: () => ({ ...sourceFields.schema(), minProperties: 1, maxProperties: 1 }),
  parse(value, path, ctx: ResolveContext) {
    const p = sourceFields.parse(value, path, ctx);
    if (!p) return undefined;
    if ((p.s3 === undefined) === (p.http === undefined)) {
      const written = p.s3 ? 'both s3 and http' : 'neither s3 nor http';
      if (p.s3 || Object.keys(value as object).every((k) => k === 's3' || k === 'http')) {
        ctx.problems.push({ file: ctx.file, path, value, expected: `exactly one of s3 and http (found ${written})`, fix: 'keep one source: s3: { uri: ... } or http: { url: ... }' });
      }
      return undefined;
    }
    return p;
  },
};

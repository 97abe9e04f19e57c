// The HTTP(S) source: one GET per category for the window; the body is the category's file.
import { createHash } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3Client } from '@aws-sdk/client-s3';
import { IngestionWindow } from './window';
import { FetchConfig, HttpSourceConfig, HttpSourceError, SourceLimitExceeded, SourceLimits, expandUrl, sourceUrlProblem } from './source';
import { StagedFile, stage } from './staging';

export interface HttpSourceDeps {
  readonly staging: S3Client;
  readonly secrets: Pick<SecretsManagerClient, 'send'>;
  /** The fetch implementation (the global one in Lambda). */
  readonly fetch: typeof fetch;
}

export interface DownloadedFile extends StagedFile {
  /** The URL without its query (which may carry values the logs should not keep). */
  readonly url: string;
  readonly status: number;
}

/**
 * The header sent with each request: the secret's SecretString as the value of the configured
 * header, or, when the secret is a JSON object `{"header": ..., "value": ...}`, that header and value.
 */
export async function secretHeader(secrets: Pick<SecretsManagerClient, 'send'>, source: HttpSourceConfig): Promise<[string, string] | undefined> {
  if (!source.secretId) return undefined;
  const res = await secrets.send(new GetSecretValueCommand({ SecretId: source.secretId }));
  const text = res.SecretString;
  if (text === undefined || text === '') {
    throw new HttpSourceError(`secret ${source.secretId} has no SecretString: store the header value as the secret's text (or {"header": "...", "value": "..."})`);
  }
  if (!text.trimStart().startsWith('{')) return [source.header, text];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [source.header, text];
  }
  const o = parsed as { header?: unknown; value?: unknown };
  if (typeof o.header !== 'string' || typeof o.value !== 'string' || o.header === '') {
    throw new HttpSourceError(`secret ${source.secretId} is a JSON object without string "header" and "value": store {"header": "Authorization", "value": "Bearer ..."}, or the header value as plain text`);
  }
  return [o.header, o.value];
}

/** GETs each category's URL and stages the body as `<category>.<format>`; an empty body stages nothing. */
export async function downloadHttpWindow(deps: HttpSourceDeps, config: FetchConfig & { readonly http: HttpSourceConfig }, window: IngestionWindow, runId: string): Promise<DownloadedFile[]> {
  const header = await secretHeader(deps.secrets, config.http);
  const out: DownloadedFile[] = [];
  let total = 0;
  for (const category of config.categories) {
    const url = expandUrl(config.http.url, { category, start: window.start, end: window.end });
    const shown = url.split('?')[0];
    const wrong = sourceUrlProblem(url);
    if (wrong) throw new HttpSourceError(`category ${category}: ${shown} is not allowed: expected ${wrong}`);
    const { status, body } = await get(deps.fetch, url, header, { budget: config.limits.maxBytes - total, limits: config.limits, what: `category ${category} (GET ${shown})` });
    total += body.length;
    if (body.length === 0) continue;
    const sha256 = createHash('sha256').update(body).digest('base64');
    const staged = await stage(deps.staging, config, runId, category, `${category}.${config.format}`, body, sha256);
    out.push({ ...staged, url: shown, status });
  }
  return out;
}

/** What one GET may take: the bytes left of the run's limit, the limits, and how errors name the request. */
interface GetBounds {
  readonly budget: number;
  readonly limits: SourceLimits;
  readonly what: string;
}

/** One GET within the timeout and the byte budget; redirects are refused (they could leave https). */
async function get(fetchFn: typeof fetch, url: string, header: [string, string] | undefined, { budget, limits, what }: GetBounds): Promise<{ status: number; body: Buffer }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.requestTimeoutMs);
  try {
    const res = await fetchFn(url, { headers: header ? { [header[0]]: header[1] } : {}, redirect: 'manual', signal: controller.signal });
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel();
      const hint = res.status >= 300 && res.status < 400 ? ' (redirects are not followed: give the final URL)' : '';
      throw new HttpSourceError(`${what} answered HTTP ${res.status}${hint}: the window failed; fix the source and re-run it`);
    }
    const limit = (n: number) => new SourceLimitExceeded(`${what}: the response (${n} bytes or more) goes past one run's limit of ${limits.maxBytes} bytes, all categories together: `
      + 'ingest more often (a shorter data.ingestion.every), or bring this data in with a container job (data.ingestion.command)');
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > budget) { await res.body?.cancel(); throw limit(declared); }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > budget) { controller.abort(); throw limit(size); }
      chunks.push(Buffer.from(chunk));
    }
    return { status: res.status, body: Buffer.concat(chunks) };
  } catch (e) {
    if (controller.signal.aborted && !(e instanceof SourceLimitExceeded)) {
      throw new HttpSourceError(`${what} took longer than ${limits.requestTimeoutMs / 1000} s: the window failed; re-run it once the source answers`);
    }
    // fetch's own "fetch failed" names neither the request nor why (refused, DNS, TLS): its cause does.
    if ((e as Error).name === 'TypeError' && (e as Error).message === 'fetch failed') {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new HttpSourceError(`${what} could not be reached (${cause?.code ?? cause?.message ?? (e as Error).message}): the window failed; check the URL and that the source accepts connections from the platform, then re-run it`);
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

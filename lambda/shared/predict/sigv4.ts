// AWS Signature Version 4 for the lean hot-path clients (DynamoDB reads, SageMaker
// InvokeEndpoint): a few HMACs per request instead of the SDK's middleware stack. Tested against
// the SDK's SignatureV4 byte for byte (test/serving/dynamo-reader.test.ts, model-client.test.ts).
import { createHash, createHmac } from 'node:crypto';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignableRequest {
  readonly method: string;
  /** Path as sent on the wire (already URI-encoded), without a query string. */
  readonly path: string;
  /** Headers to sign, lowercase names; `host` included. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Signs requests for one service in one region; caches the day's signing key. */
export class SigV4Signer {
  private signingKey?: { id: string; key: Buffer };

  constructor(private readonly service: string, private readonly region: string) {}

  /** The request's headers plus x-amz-date, the session token (if any) and authorization. */
  sign(req: SignableRequest, credentials: Credentials, date: Date): Record<string, string> {
    const amzDate = date.toISOString().replace(/[:-]|\.\d{3}/g, '');
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = {
      ...req.headers,
      'x-amz-date': amzDate,
      ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    };
    const names = Object.keys(headers).sort();
    const signedNames = names.join(';');
    const canonical = [
      req.method, canonicalPath(req.path), '',
      ...names.map((n) => `${n}:${headers[n].trim()}`), '',
      signedNames, sha256Hex(req.body),
    ].join('\n');
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
    const signature = createHmac('sha256', this.key(credentials.secretAccessKey, day)).update(stringToSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedNames}, Signature=${signature}`;
    return headers;
  }

  private key(secret: string, day: string): Buffer {
    const id = `${day}/${secret}`;
    if (this.signingKey?.id !== id) {
      const kDate = createHmac('sha256', `AWS4${secret}`).update(day).digest();
      const kRegion = createHmac('sha256', kDate).update(this.region).digest();
      const kService = createHmac('sha256', kRegion).update(this.service).digest();
      this.signingKey = { id, key: createHmac('sha256', kService).update('aws4_request').digest() };
    }
    return this.signingKey.key;
  }
}

/** Services other than S3 sign the path URI-encoded once more, segment by segment. */
function canonicalPath(path: string): string {
  if (path === '' || path === '/') return '/';
  return path.split('/').map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

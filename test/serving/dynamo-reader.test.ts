import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import { DynamoReader } from '../../lambda/shared/predict/dynamo-reader';

// The SDK's signer needs a hash constructor; node:crypto provides both plain and keyed SHA-256.
class Sha256 {
  private readonly h;
  constructor(secret?: unknown) {
    this.h = secret ? createHmac('sha256', secret as string) : createHash('sha256');
  }
  update(data: string | Uint8Array) { this.h.update(data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

describe('lean DynamoDB reader', () => {
  test.each([
    ['without a session token', undefined],
    ['with a session token (task roles)', 'token/with+chars='],
  ])('signs exactly like the SDK SignatureV4 %s', async (_name, sessionToken) => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken };
    const date = new Date('2026-11-24T10:20:30.000Z');
    const body = JSON.stringify({ TableName: 'predictions', Key: { pk: { S: 'demand#books#3#e1' } } });
    const reader = new DynamoReader({ endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', region: 'eu-west-1', timeoutMs: 100, credentials: async () => credentials });
    const ours = reader.signedHeaders('GetItem', body, credentials, date);

    const signer = new SignatureV4({ service: 'dynamodb', region: 'eu-west-1', credentials, sha256: Sha256 as never, applyChecksum: false });
    const signed = await signer.sign({
      method: 'POST', protocol: 'https:', hostname: 'dynamodb.eu-west-1.amazonaws.com', path: '/', query: {},
      headers: { 'content-type': 'application/x-amz-json-1.0', host: 'dynamodb.eu-west-1.amazonaws.com', 'x-amz-target': 'DynamoDB_20120810.GetItem', ...(sessionToken ? { 'x-amz-security-token': sessionToken } : {}) },
      body,
    } as never, { signingDate: date });
    expect(ours.authorization).toBe((signed as unknown as { headers: Record<string, string> }).headers.authorization);
    reader.destroy();
  });

  test('reports an unreachable store as a retryable error quickly', async () => {
    const reader = new DynamoReader({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', timeoutMs: 500, credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) });
    const err = await reader.getItem('t', { pk: 'x' }).catch((e: unknown) => e) as { name: string; retryable: boolean };
    expect(err.name).toBe('ECONNREFUSED');
    expect(err.retryable).toBe(true);
    reader.destroy();
  });
});

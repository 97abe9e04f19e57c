// The local stand-in of a real-time model endpoint: the model's own serve mode started as a
// process under the serving contract (MLOPS_MODE=serve, the model in <mlRoot>/model, the port in
// SERVING.portEnv), as SageMaker hosting or the Fargate model service would start it.
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { CONTAINER, SERVING } from '../../lambda/shared/contract';
import { freePort } from '../emulators';

export interface ModelServerOptions {
  /** Folder of the model's code, e.g. models/demand-forecast (holds serve.py). */
  readonly codeDir: string;
  /** Stands in for /opt/ml: the model files are in `<mlRoot>/model`. */
  readonly mlRoot: string;
  /** @default a free port on loopback */
  readonly port?: number;
  /** Extra environment (e.g. CONTAINER.env.serveDelaySeconds for a slow model). @default none */
  readonly env?: Record<string, string>;
  /** How long the process may take to answer /ping. @default 15 s */
  readonly readyTimeoutMs?: number;
}

export interface ModelServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (the contract's paths go under it). */
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `python3 serve.py` under the serving contract and waits until GET /ping answers 200. */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const port = options.port ?? await freePort();
  const stderr: string[] = [];
  const proc = spawn('python3', ['-B', join(options.codeDir, 'serve.py')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      PYTHONDONTWRITEBYTECODE: '1',
      [CONTAINER.env.mode]: SERVING.mode,
      [CONTAINER.env.mlRoot]: options.mlRoot,
      [SERVING.portEnv]: String(port),
      ...options.env,
    },
  });
  proc.stderr?.on('data', (c: Buffer) => { stderr.push(c.toString('utf8')); });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the model server exited with code ${proc.exitCode} before it was ready: ${stderr.join('').trim()}`);
    try {
      const res = await fetch(`${url}${SERVING.pingPath}`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the model server did not answer ${SERVING.pingPath} within ${options.readyTimeoutMs ?? 15_000} ms: ${stderr.join('').trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, port, process: proc, stop };
}

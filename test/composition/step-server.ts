// Starts test/composition/step_server.py (a preprocess, postprocess, constant or failing step
// under the serving contract) as a real process on a free loopback port. Used by the composition
// tests and by `npm run bench` (compiled under dist/, hence the script found from the package root).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SERVING } from '../../lambda/shared/contract';
import { packageRoot } from '../../lib/common/handler-code';
import { freePort } from '../../local/emulators';

export interface StepServer { readonly url: string; stop(): Promise<void> }

export async function startStepServer(role: 'preprocess' | 'postprocess' | 'constant' | 'fail', env: Record<string, string> = {}): Promise<StepServer> {
  const port = await freePort();
  const proc = spawn('python3', ['-B', join(packageRoot(), 'test', 'composition', 'step_server.py')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { PATH: process.env.PATH ?? '', STEP_ROLE: role, [SERVING.portEnv]: String(port), ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}${SERVING.pingPath}`, { signal: AbortSignal.timeout(1000) })).status === 200) return { url, stop };
    } catch { /* not listening yet */ }
    if (i > 200 || proc.exitCode !== null) { await stop(); throw new Error(`step server ${role} did not start`); }
    await new Promise((r) => setTimeout(r, 50));
  }
}

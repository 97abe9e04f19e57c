// Module init of the Lambda front end: `require` of the bundled predict-api handler in a fresh
// Node process (what a Lambda cold start pays before the first request), several runs, median.
// The handler keeps `@aws-sdk/*` external as on Lambda, so an SDK it loads eagerly is counted.
// Standalone: `npm run build && node dist/bench/cold-start.js [runs]`.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Target of issue 12: at most this much module init. */
export const MODULE_INIT_TARGET_MS = 60;

export interface ModuleInit {
  readonly handler: string;
  readonly runs: number[];
  readonly medianMs: number;
}

const SCRIPT = "const t = process.hrtime.bigint(); require(process.argv[1]); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6))";

/** Requires `handlerJs` in `runs` fresh processes and returns the times (ms) and their median. */
export function measureModuleInit(handlerJs: string, runs = 11): ModuleInit {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(Number(execFileSync(process.execPath, ['-e', SCRIPT, handlerJs], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } })));
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { handler: handlerJs, runs: times.map((t) => Math.round(t * 10) / 10), medianMs: Math.round(medianMs * 10) / 10 };
}

/** The bundled Lambda front end under the package root. */
export function predictApiHandler(root: string): string {
  return join(root, 'build', 'handlers', 'predict-api', 'index.js');
}

if (require.main === module) {
  const root = join(__dirname, '..', '..');
  const m = measureModuleInit(predictApiHandler(root), Number(process.argv[2] ?? 11));
  process.stdout.write(`predict-api module init: median ${m.medianMs} ms over ${m.runs.length} fresh processes (target <= ${MODULE_INIT_TARGET_MS} ms): ${m.runs.join(', ')}\n`);
  if (m.medianMs > MODULE_INIT_TARGET_MS) process.exitCode = 2;
}

// The example model (models/demand-forecast) trained on generated data in a temp folder standing
// in for /opt/ml, ready for its serve mode (model-server.ts): for tests and the benchmark.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTAINER } from '../../lambda/shared/contract';
import { packageRoot } from '../package-root';

export { packageRoot };

export const MODEL_CODE_DIR = join(packageRoot(), 'models', 'demand-forecast');

export interface TrainedModel {
  readonly mlRoot: string;
  remove(): void;
}

/** Stores store-001 .. store-00N, 30 days of data up to 2026-11-20, category books. */
export function trainExampleModel(stores = 3): TrainedModel {
  const mlRoot = mkdtempSync(join(tmpdir(), 'mlops-invoke-'));
  const python = (script: string, args: string[]) => execFileSync('python3', ['-B', join(MODEL_CODE_DIR, script), ...args], {
    env: { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1', [CONTAINER.env.mlRoot]: mlRoot, [CONTAINER.env.category]: 'books' }, stdio: 'pipe',
  });
  python('generate_data.py', ['--out', join(mlRoot, 'input', 'data', CONTAINER.trainingChannel), '--days', '30', '--stores', String(stores), '--category', 'books', '--end', '2026-11-20']);
  python('train.py', []);
  return { mlRoot, remove: () => rmSync(mlRoot, { recursive: true, force: true }) };
}

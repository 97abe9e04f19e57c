// The Python side of the container contract spells environment variable names as literals (it
// cannot import lambda/shared/contract.ts). These checks keep them on the TypeScript constants.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONTAINER } from '../../lambda/shared/contract';
import { BATCH_STAGING_ENV } from '../../lambda/shared/training/constants';
import { MODEL_SERVICE_ENV } from '../../lambda/shared/model-service/settings';
import { INGEST_JOB_ENV } from '../../lambda/shared/ingestion/constants';

const ROOT = join(__dirname, '..', '..');
const ENTRYPOINT = join(ROOT, 'container', 'batch-entrypoint', 'entrypoint.py');
const MODELS = join(ROOT, 'models');
const MODEL_SERVICE_ENTRYPOINT = join(ROOT, 'container', 'model-service-entrypoint', 'entrypoint.py');

function pythonFiles(): string[] {
  const models = readdirSync(MODELS, { withFileTypes: true }).filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(MODELS, d.name)).filter((f) => f.endsWith('.py')).map((f) => join(MODELS, d.name, f)));
  return [ENTRYPOINT, MODEL_SERVICE_ENTRYPOINT, ...models];
}

// `os.environ.get("NAME", "/opt/ml")` or `env.get('NAME', '/opt/ml')`: whatever reads the root.
const ROOT_READ = /\.get\(\s*(['"])([A-Za-z0-9_]+)\1\s*,\s*(['"])\/opt\/ml\/?\3\s*\)/g;

describe('Python files of the container contract', () => {
  const files = pythonFiles();
  const source = (f: string) => readFileSync(f, 'utf8');

  test('include the Batch staging wrapper and at least one model', () => {
    expect(files).toContain(ENTRYPOINT);
    expect(files.some((f) => f.startsWith(MODELS))).toBe(true);
  });

  test(`read the /opt/ml override from exactly CONTAINER.env.mlRoot (${CONTAINER.env.mlRoot})`, () => {
    const reads = files.flatMap((f) => [...source(f).matchAll(ROOT_READ)].map((m) => [relative(ROOT, f), m[2]]));
    // The wrapper stages under the root and the example model trains under it: both must read it.
    expect(reads.map(([f]) => f)).toEqual(expect.arrayContaining(['container/batch-entrypoint/entrypoint.py', expect.stringMatching(/^models\/[^/]+\/[^/]+\.py$/)]));
    for (const [file, name] of reads) expect([file, name]).toEqual([file, CONTAINER.env.mlRoot]);
  });

  test('name no MLOPS_* variable that the TypeScript contract does not define', () => {
    const known = new Set<string>([...Object.values(CONTAINER.env), ...Object.values(BATCH_STAGING_ENV), ...Object.values(MODEL_SERVICE_ENV), ...Object.values(INGEST_JOB_ENV)]);
    const unknown = files.flatMap((f) => [...source(f).matchAll(/\bMLOPS_[A-Z0-9_]*[A-Z0-9]\b/g)]
      .map((m) => m[0]).filter((name) => !known.has(name)).map((name) => `${relative(ROOT, f)}: ${name}`));
    expect(unknown).toEqual([]);
  });

  test('the check catches a drifted name', () => {
    const drifted = 'root = os.environ.get("MLOPS_ROOT", "/opt/ml")';
    expect([...drifted.matchAll(ROOT_READ)].map((m) => m[2])).toEqual(['MLOPS_ROOT']);
  });
});

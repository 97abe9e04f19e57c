// Copies of the example model (models/demand-forecast) with different names, schedules,
// training backends and serving choices: the "50 models" of the synth benchmark and the
// platform-scale tests. Copies use an ECR image URI (a Docker image asset per copy would only
// measure file copying); the rotation covers every stack shape the platform builds.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';

const EXAMPLE = join(__dirname, '..', '..', '..', 'models', 'demand-forecast', 'model.yaml');

function example(): Record<string, any> {
  // dist/bench/synth -> repo root is three levels up; ts-jest/swc run from bench/synth (two).
  for (const file of [EXAMPLE, join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml')]) {
    try { return parse(readFileSync(file, 'utf8')); } catch { /* try the next layout */ }
  }
  throw new Error(`the example model spec was not found next to ${__dirname}`);
}

/** The raw spec (as parsed from YAML) of copy number `i`, named `model-<i>`. */
export function modelCopy(i: number): Record<string, any> {
  const raw = example();
  const name = `model-${String(i).padStart(2, '0')}`;
  raw.description = `Copy ${i} of the example model`;
  raw.schedule = { ...raw.schedule, cron: `${i % 60} ${i % 24} * * *` };
  raw.data = { ...raw.data, location: `${name}/` };
  raw.training = { ...raw.training, image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}:1` };
  switch (i % 4) {
    case 0: // batch predictions only, no serving front end, no ingestion job: needs no network
      raw.inference = { ...raw.inference, serving: 'none' };
      delete raw.data.ingestion;
      break;
    case 1: // low traffic: HTTP API + Lambda, no ingestion job: needs no network
      raw.inference = { ...raw.inference, serving: 'api', tps: { min: 1, avg: 5, max: 20 }, peakWindows: [] };
      delete raw.data.ingestion;
      break;
    case 2: // the reference traffic: ALB + Fargate, batch and online
      raw.inference = { ...raw.inference, mode: 'both', serving: 'service' };
      break;
    default: // GPU training on Batch, serving chosen from the TPS (ALB + Fargate)
      raw.training = {
        image: raw.training.image, backend: 'batch', instanceType: 'g5.xlarge', maxVcpus: 16, spot: true,
        maxRuntime: '2h', command: ['python3', '/opt/program/train.py'],
      };
      break;
  }
  return { name, ...raw };
}

/** `count` validated copies. */
export function modelCopies(count: number): ModelSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const raw = modelCopy(i);
    const { spec, problems } = parseModelSpecObject(raw, { file: `models/${raw.name}/model.yaml` });
    if (!spec) throw new Error(`copy ${i} of the example is not a valid spec: ${JSON.stringify(problems)}`);
    return spec;
  });
}

/** Writes `count` copies as `<dir>/<name>/model.yaml` (a models folder for MLOPS_MODELS_DIR). */
export function writeModelCopies(dir: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const { name, ...raw } = modelCopy(i);
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'model.yaml'), stringify(raw));
  }
}

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ModelSpec, parseModelSpec, parseModelSpecObject } from '../../lib/spec';

/** The smallest valid spec (everything else defaulted), as YAML. */
export const MINIMAL_YAML = `
name: demand
description: Daily demand
owner: ds-team
training:
  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1
evaluation:
  metric: rmse
inference:
  rules:
    fallback:
      - { name: default, prediction: 0 }
`;

/** A resolved spec built from YAML overrides merged onto the minimal one. */
export function specFrom(extraYaml = '', name = 'demand'): ModelSpec {
  return parseModelSpec(MINIMAL_YAML.replace('name: demand', `name: ${name}`) + extraYaml, { file: `models/${name}/model.yaml` });
}

/** A temporary models/ folder with the given spec files; removed by the returned cleanup. */
export function modelsDir(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-models-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The minimal spec with `overrides` deep-merged into it (objects merge, other values replace). */
export function specWith(overrides: Record<string, unknown>, name = 'demand'): ModelSpec {
  const base = parse(MINIMAL_YAML) as Record<string, unknown>;
  return parseModelSpecObject(merge(base, { name, ...overrides }), { file: `models/${name}/model.yaml` }).spec
    ?? (() => { throw new Error(JSON.stringify(parseModelSpecObject(merge(base, { name, ...overrides })).problems)); })();
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isObj(cur) && isObj(v) ? merge(cur, v) : v;
  }
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

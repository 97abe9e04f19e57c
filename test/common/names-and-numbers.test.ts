import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { assertWholeNumber, isModelName, wholeNumberProblem } from '../../lambda/shared/names-and-numbers';
import * as registry from '../../lambda/shared/registry/validate';
import { modelName as monitoringModelName } from '../../lib/monitoring/validate-monitoring-props';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';

const ROOT = join(__dirname, '..', '..');

function accepts(f: () => unknown): boolean {
  try { f(); return true; } catch { return false; }
}

function specAccepts(name: string): boolean {
  const { problems } = parseModelSpecObject({ name, description: 'd', owner: 'o', training: { image: 'repo/x:1' }, evaluation: { metric: 'rmse' }, inference: { serving: 'none' } });
  return !problems.some((p) => p.path === 'name');
}

describe('one model-name rule', () => {
  test('the registry core, the spec loader and the monitoring validator accept exactly the shared rule', () => {
    const candidates = fc.oneof(
      fc.stringMatching(/^[a-z0-9-]{0,64}$/),
      fc.constantFrom('9lives', '-lead', 'a', 'ab', 'demand-forecast', 'Demand', 'a'.repeat(63), 'a'.repeat(64)),
    );
    fc.assert(fc.property(candidates, (name) => {
      const expected = isModelName(name);
      expect(accepts(() => registry.modelName('model', name))).toBe(expected);
      expect(specAccepts(name)).toBe(expected);
      expect(accepts(() => monitoringModelName('model', name))).toBe(expected);
    }), { numRuns: 300 });
  });

  test('a leading digit is not a model name anywhere (the monitoring copy used to accept it)', () => {
    expect(isModelName('9lives')).toBe(false);
    expect(() => monitoringModelName('model', '9lives')).toThrow(/model must be 1-63 characters: lowercase letters.*"9lives" was provided/);
  });

  test('no source file outside the shared module spells the model-name pattern or a whole-number checker of its own', () => {
    const copies: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !path.endsWith('names-and-numbers.ts')) {
          const text = readFileSync(path, 'utf8');
          if (text.includes('[a-z][a-z0-9-]{0,62}') || text.includes('[a-z0-9][a-z0-9-]{0,62}') || /must be a whole number between \$\{min\}/.test(text)) copies.push(relative(ROOT, path));
        }
      }
    };
    ['lib', 'lambda', 'cli'].forEach((d) => walk(join(ROOT, d)));
    expect(copies).toEqual([]);
  });
});

describe('one whole-number rule', () => {
  test('accepts exactly the whole numbers in range and names field, range and value otherwise', () => {
    fc.assert(fc.property(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 20 }), fc.oneof(fc.integer({ min: -100, max: 100 }), fc.double({ noNaN: false })), (min, span, value) => {
      const max = min + span;
      const ok = Number.isInteger(value) && value >= min && value <= max;
      expect(wholeNumberProblem('n', value, min, max) === undefined).toBe(ok);
      if (!ok) expect(() => assertWholeNumber('n', value, min, max)).toThrow(`n must be a whole number between ${min} and ${max}, but ${String(value)} was provided`);
    }));
    expect(wholeNumberProblem('n', 0, 1)).toBe('n must be a whole number >= 1, but 0 was provided');
  });
});

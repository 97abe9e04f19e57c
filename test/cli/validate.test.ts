// `mlops validate`: every problem of the specs in one report (spec fields, defaults merged into a
// block written in part, construct preconditions, pattern checks, acknowledgements), with
// repo-relative paths and no stack trace; `cdk synth` (bin/app.ts) reports the same set.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ReportEntry } from '../../lib/checks/spec-report';
import { AppHarness, NO_STACK, appHarness } from './app-harness';
import { run } from './support';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:1';

/** A valid spec (as a YAML object) served by the Lambda API. */
const base = (): Record<string, any> => ({
  description: 'Churn risk per customer', owner: 'ds@example.com',
  training: { image: IMAGE },
  evaluation: { metric: 'auc' },
  inference: { rules: { fallback: [{ name: 'unknown', prediction: 0 }] } },
});

let tmp: string;
beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'mlops-validate-')); });
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function writeSpecs(root: string, specs: Record<string, unknown>): void {
  for (const [name, spec] of Object.entries(specs)) {
    mkdirSync(join(root, 'models', name), { recursive: true });
    writeFileSync(join(root, 'models', name, 'model.yaml'), typeof spec === 'string' ? spec : stringify(spec));
  }
}

const validate = (argv: string[], cwd = tmp) => run(['validate', ...argv], { cwd });

describe('mlops validate', () => {
  test('a spec with problems of every kind gets them all in one report, once each, with repo-relative paths', async () => {
    const churn = base();
    churn.inference = { ttl: '3 days', tps: { avg: 5 }, serving: 'api' }; // a bad field; defaults merged into tps; no fallback rule
    churn.data = { location: 'exports/churn/' }; // the platform cannot build it (construct precondition)
    churn.acknowledge = [{ id: 'MLOPS-GpuComputeVcpuCap', reason: 'capped by the account quota of 16 vCPUs' }]; // matches no finding
    writeSpecs(tmp, { churn });

    const text = await validate(['churn']);
    expect(text.code).toBe(1);
    expect(text.out).toContain('error: models/churn/model.yaml: inference.ttl: "3 days" is invalid: expected a duration');
    expect(text.out).toContain('error: models/churn/model.yaml: inference.tps: {"avg":5} is invalid: expected min <= avg <= max, which fails because the defaults '
      + 'min: 100 and max: 1000 were merged into a block written in part\n  fix: write all three values (min, avg, max) so that min <= avg <= max');
    expect(text.out).toContain('error: models/churn/model.yaml: data.location: "exports/churn/" is invalid');
    expect(text.out).toMatch(/^error: models\/churn\/model\.yaml: inference\.rules\.fallback: MLOPS-ServingHasFallback: /m);
    expect(text.out).toMatch(/^warning: models\/churn\/model\.yaml: acknowledge\[0\]: MLOPS-StaleAcknowledgement: .*MLOPS-GpuComputeVcpuCap finds nothing in this model\n {2}fix: remove the acknowledgement$/m);
    expect(text.out).toMatch(/^4 error\(s\), 1 warning\(s\), 0 acknowledged in 1 spec\(s\)$/m);
    expect(text.out).not.toContain(tmp);
    expect(text.out).not.toMatch(NO_STACK);
    expect(text.out).not.toMatch(/\[object Object\]/);

    const { out, code } = await validate(['churn', '--json']);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { ok: boolean; errors: number; entries: ReportEntry[] };
    expect(report).toMatchObject({ ok: false, errors: 4 });
    expect(report.entries.map((e) => `${e.level} ${e.path} ${e.check ?? ''}`.trim())).toEqual([
      'error inference.ttl', 'error inference.tps', 'error data.location', 'error inference.rules.fallback MLOPS-ServingHasFallback',
      'warning acknowledge[0] MLOPS-StaleAcknowledgement',
    ]);
  });

  test('a valid models folder: exit 0; one model of several; --models-dir', async () => {
    writeSpecs(tmp, { churn: base(), other: { ...base(), description: 'x', evaluation: 'bad' } });
    expect((await validate(['churn'])).code).toBe(0);
    expect((await validate(['churn'])).out).toBe('0 error(s), 0 warning(s), 0 acknowledged in 1 spec(s)');
    expect((await validate([])).code).toBe(1);
    expect((await validate(['--models-dir', join(tmp, 'models'), 'churn'], '/')).code).toBe(0);
  });

  test('the guide\'s example report is what mlops validate prints for the guide\'s example spec', async () => {
    const guide = readFileSync(join(__dirname, '..', '..', 'docs', 'data-scientist.md'), 'utf8');
    const block = (marker: string) => new RegExp(`<!-- validate-example: ${marker} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(guide)![1];
    writeSpecs(tmp, { 'churn-risk': block('models/churn-risk/model.yaml') });
    const r = await validate([]);
    expect(r.code).toBe(1);
    expect(`${r.out}\n`).toBe(block('output'));
  });

  test('a missing folder or model is "not found" (exit 2) with the fix', async () => {
    const missing = await validate([]);
    expect(missing).toMatchObject({ code: 2, err: expect.stringMatching(/^error: the models folder models does not exist\nfix: /) });
    writeSpecs(tmp, { churn: base() });
    expect(await validate(['nope'])).toMatchObject({ code: 2, err: expect.stringMatching(/model "nope" has no spec in models/) });
  });
});

/** Problems a data scientist makes, each of one kind; a generated spec combines some of them. */
const MISTAKES: Record<string, (s: Record<string, any>) => void> = {
  ttlWithoutUnit: (s) => { s.inference = { ...s.inference, ttl: 3 }; },
  badMetric: (s) => { s.evaluation = { metric: '9auc' }; },
  badCategory: (s) => { s.categories = ['ok', 'Not OK']; },
  unknownField: (s) => { s.trainig = {}; },
  tooManyRetries: (s) => { s.training = { ...s.training, retries: 20 }; },
  partialTps: (s) => { s.inference = { ...s.inference, tps: { max: 50 } }; },
  partialSlo: (s) => { s.inference = { ...s.inference, slo: { p95: '900ms' } }; },
  partialTraining: (s) => { s.training = { ...s.training, maxRuntime: '3h' }; },
  elsewhere: (s) => { s.data = { location: 'elsewhere/' }; },
  reservedName: (s) => { s.name = 'shared'; },
  noFallback: (s) => { s.inference = { ...s.inference, serving: 'api', rules: {} }; },
  shortTtl: (s) => { s.inference = { ...s.inference, ttl: '20h' }; },
  weekly: (s) => { s.schedule = { cron: '0 3 * * MON' }; },
  staleAck: (s) => { s.acknowledge = [{ id: 'MLOPS-ModelLatencyFitsSlo', reason: 'batch only, latency does not apply here' }]; },
  unknownAck: (s) => { s.acknowledge = [{ id: 'MLOPS-OnlineFallback', reason: 'the id of a check that does not exist' }]; },
};

const invalidModels = fc.uniqueArray(fc.constantFrom('churn', 'demand'), { minLength: 1, maxLength: 2 }).chain((names) => fc.tuple(
  // At least one error each: a spec with warnings only would go on to a full synth.
  ...names.map((name) => fc.subarray(Object.keys(MISTAKES), { minLength: 1, maxLength: 4 }).filter((ms) => ms.some((m) => m !== 'staleAck')).map((mistakes) => {
    const spec = base();
    for (const m of mistakes) MISTAKES[m](spec);
    return [name, spec] as const;
  })),
));

describe('validate and synth report the same', () => {
  let app: AppHarness;
  beforeAll(() => { app = appHarness(); });
  afterAll(() => app.cleanup());

  test('set of problems for generated invalid specs', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(invalidModels, async (models) => {
      const root = join(app.work, `case-${n++}`);
      writeSpecs(root, Object.fromEntries(models));
      const validated = JSON.parse((await run(['validate', '--json'], { cwd: app.work, env: { MLOPS_MODELS_DIR: join(root, 'models') } })).out) as { entries: ReportEntry[] };
      const synth = app.synth(join(root, 'models'));
      expect(synth.stderr).not.toMatch(NO_STACK);
      const fromSynth = synth.stderr.split('\n').filter((l) => /^(error|warning|acknowledged): \S+\.yaml/.test(l)).sort();
      const fromValidate = validated.entries.map((e) => `${e.level}: ${e.file}${e.path ? `: ${e.path}` : ''}: ${e.check ? `${e.check}: ` : ''}${e.message}`).sort();
      expect(fromSynth).toEqual(fromValidate);
      expect(synth.status).toBe(validated.entries.some((e) => e.level === 'error') ? 1 : 0);
    }), { numRuns: 12 });
  });
});

// The repository's pipeline app (bin/pipeline.ts): configured by a JSON file, it synthesizes the
// tools-account stack with its stages, nag-checked, and exits 0; a broken configuration exits 1
// with the fix and no stack trace. Bundled with esbuild into a temp package with empty stand-in
// handler and server bundles (as test/platform/default-app does), so no previous build is needed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { writeModelCopies } from '../../bench/synth/model-copies';
import { CONNECTION } from './fixtures';

const ROOT = join(__dirname, '..', '..');
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mlops-pipeline-app-'));
  writeFileSync(join(work, 'package.json'), '{"name":"app-under-test","private":true}');
  const handlers = readdirSync(join(ROOT, 'lambda')).filter((d) => existsSync(join(ROOT, 'lambda', d, 'index.ts')));
  for (const file of [...handlers.map((h) => join('build', 'handlers', h, 'index.js')), join('build', 'server', 'server.js'), join('build', 'server', 'Dockerfile'), join('scripts', 'smoke-test.mjs')]) {
    mkdirSync(join(work, file, '..'), { recursive: true });
    writeFileSync(join(work, file), '');
  }
  mkdirSync(join(work, 'container', 'batch-entrypoint'), { recursive: true });
  writeFileSync(join(work, 'container', 'batch-entrypoint', 'entrypoint.py'), readFileSync(join(ROOT, 'container', 'batch-entrypoint', 'entrypoint.py')));
  writeModelCopies(join(work, 'models'), 2);
  buildSync({ entryPoints: [join(ROOT, 'bin', 'pipeline.ts')], outfile: join(work, 'dist', 'bin', 'pipeline.js'), bundle: true, platform: 'node', format: 'cjs', packages: 'external', logLevel: 'silent' });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(config: unknown) {
  writeFileSync(join(work, 'delivery.json'), JSON.stringify(config));
  return spawnSync(process.execPath, [join(work, 'dist', 'bin', 'pipeline.js')], {
    cwd: work, encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'), MLOPS_MODELS_DIR: join(work, 'models'), CDK_OUTDIR: join(work, 'cdk.out') },
  });
}

const CONFIG = {
  tools: { account: '111111111111', region: 'eu-west-1' },
  source: CONNECTION,
  stages: [{ name: 'staging', account: '333333333333', region: 'eu-west-1' }, { name: 'prod', account: '444444444444', region: 'eu-west-1' }],
  alarmEmails: ['ml-team@example.com'],
};

test('synthesizes the tools stack and a stage per environment, nag-clean, and exits 0', () => {
  const r = run(CONFIG);
  expect([r.status, r.stderr]).toEqual([0, expect.not.stringMatching(/AwsSolutions-/)]);
  const manifest = JSON.parse(readFileSync(join(work, 'cdk.out', 'manifest.json'), 'utf8'));
  const artifacts = Object.entries<{ type: string }>(manifest.artifacts);
  expect(artifacts.filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([n]) => n)).toEqual(['MlopsDelivery']);
  expect(artifacts.filter(([, a]) => a.type === 'cdk:cloud-assembly').map(([n]) => n).sort()).toEqual(['assembly-MlopsDelivery-Pipeline-prod', 'assembly-MlopsDelivery-Pipeline-staging']);
  const template = readFileSync(join(work, 'cdk.out', 'MlopsDelivery.template.json'), 'utf8');
  expect(template).toContain('npx cdk synth --app \\\\\\"node dist/bin/pipeline.js\\\\\\"');
}, 120_000);

test('a configuration without stages, or with a wrong source field, exits 1 with the fix', () => {
  const noStages = run({ ...CONFIG, stages: undefined });
  expect([noStages.status, noStages.stderr]).toEqual([1, expect.stringMatching(/^error: .*delivery\.json: "stages" is undefined\.\nfix: give "stages" as shown at the top of bin\/pipeline\.ts\n$/)]);
  const badRepo = run({ ...CONFIG, source: { ...CONNECTION, repository: 'ml-platform' } });
  expect([badRepo.status, badRepo.stderr]).toEqual([1, 'error: MlopsDeliveryPipeline: source.codeConnection.repository is "ml-platform"; fix: write the repository as owner/name, e.g. "acme/ml-platform"\n']);
}, 60_000);

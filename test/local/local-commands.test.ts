// `mlops local up | ingest | train | serve | down` and `--local`, run as a data scientist's shell runs
// them: the built CLI (dist/cli/mlops.js, from `npm run build`) as child processes, the state in a
// temp folder. Nothing may be left running or listening after `mlops local down`.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalState } from '../../cli/local-state';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'mlops.js');
let dir: string;
// The day ingested and trained (the commands default to today; a test may not).
const DATE = '2026-11-20';

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'local', 'daemon.js'))) throw new Error('dist/local/daemon.js is missing: run npm run build first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'mlops-local-state-'));
});

afterAll(async () => {
  await mlops('local', 'down'); // also when a test failed half-way
  rmSync(dir, { recursive: true, force: true });
});

function mlops(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, MLOPS_LOCAL_DIR: dir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }));
  });
}

const state = () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as LocalState;
const running = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const listening = (url: string) => new Promise<boolean>((resolve) => {
  const s = connect(Number(new URL(url).port), '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

test('--local before up says how to start the local platform', async () => {
  const r = await mlops('models', '--local');
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/no local platform is running[\s\S]*fix: start one with: mlops local up/);
});

test('up, ingest, train, serve, --local, down: the answers come from the local pipelines, and down leaves nothing running', async () => {
  const up = await mlops('local', 'up');
  expect(up.stderr).toBe('');
  expect(up.code).toBe(0);
  const { endpoints, daemonPid } = state();

  const early = await mlops('local', 'train', 'demand-forecast', '--date', DATE);
  expect(early.stderr).toMatch(new RegExp(`no data of ${DATE} for demand-forecast[\\s\\S]*fix: bring it in first: mlops local ingest demand-forecast --date ${DATE}`));

  const ingest = await mlops('local', 'ingest', 'demand-forecast', '--date', DATE);
  expect(ingest.stdout).toMatch(/ingestion +Run ingestion job done \(\d+ ms\): ingestion command exited with 0; uploaded 3 file/);
  expect(ingest.stdout).toMatch(new RegExp(`garden: 300 rows -> s3://[^/]+/demand-forecast/garden/${DATE}/0000-1440m\\.csv`));
  expect(ingest.stdout).toMatch(/^ingestion SUCCEEDED$/m);
  expect(ingest.code).toBe(0);

  const train = await mlops('local', 'train', 'demand-forecast', '--set', 'window=14', '--date', DATE);
  expect(train.stdout).toMatch(/training +Train \[books\] done/);
  expect(train.stdout).toMatch(/^training SUCCEEDED$/m);
  expect(train.stdout).toMatch(/^scoring SUCCEEDED$/m);
  expect(train.code).toBe(0);

  const versions = await mlops('versions', 'demand-forecast', '--category', 'garden', '--local', '--json');
  expect(versions.code).toBe(0);
  expect(JSON.parse(versions.stdout)[0]).toMatchObject({ version: 1, hyperparameters: expect.objectContaining({ window: '14' }) });

  const serve = await mlops('local', 'serve', 'demand-forecast');
  expect(serve.code).toBe(0);
  const server = state().server!;
  const answer = await (await fetch(`${server.url}/v1/models/demand-forecast/predictions/store-002?category=garden`)).json();
  expect(answer).toMatchObject({ source: 'model', version: 1 });

  expect((await mlops('train', 'demand-forecast', '--local')).stderr).toMatch(/fix: train or score with mlops local train <model>/);

  const down = await mlops('local', 'down');
  expect(down.code).toBe(0);
  expect(existsSync(join(dir, 'state.json'))).toBe(false);
  for (const pid of [daemonPid, server.pid]) expect(running(pid)).toBe(false);
  for (const url of [endpoints.dynamodb, endpoints.s3, server.url]) expect(await listening(url)).toBe(false);
}, 300_000);

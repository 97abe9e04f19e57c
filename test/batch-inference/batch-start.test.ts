// 17.4: the training pipeline starts batch inference under a name Step Functions accepts, even
// for the longest model name, and a start that still fails ends the execution with a clear error.
// The synthesized training definition runs in the local ASL runner, its Lambda tasks on the real
// handlers (DynamoDB Local + S3 emulator), training on the local stand-in.
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { TRAINING_STATES as S } from '../../lambda/shared/training/constants';
import { evaluateRun } from '../../lambda/training-evaluate';
import { gate } from '../../lambda/training-gate';
import { planExecution } from '../../lambda/training-plan';
import { recordRun } from '../../lambda/training-record-run';
import { summarizeExecution } from '../../lambda/training-summarize';
import { validateTrainingData } from '../../lambda/training-validate-data';
import { LocalStateMachine, LocalTaskHandler } from '../../local/asl';
import { localTrainingTask } from '../../local/container/stand-in';
import { DATE, GOOD_ROWS, LocalPipeline, localPipeline } from '../training-pipeline/harness';

// The longest name the registry accepts: 63 characters.
const LONGEST = `m${'x'.repeat(61)}z`;
// Step Functions execution names: 1-80 characters, none of whitespace, brackets, wildcards or "#%\^|~`$&,;:/".
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;

/** The pipeline's definition on the real handlers, with StartBatchInference mapped to `start`. */
function machineOf(p: LocalPipeline, start: LocalTaskHandler): LocalStateMachine {
  const d = p.deps;
  const handlers: Record<string, LocalTaskHandler> = {
    [S.plan]: (e) => planExecution(e, d),
    [S.validateData]: (e) => validateTrainingData(e, d),
    [S.notifyAborted]: (e) => summarizeExecution(e, d),
    [S.startRun]: (e) => recordRun(e, d),
    [S.classifyFailure]: (e) => recordRun(e, d),
    [S.evaluate]: (e) => evaluateRun(e, d),
    [S.gate]: (e) => gate(e, d),
    [S.recordFailure]: (e) => recordRun(e, d),
    [S.recordRejectedData]: (e) => recordRun(e, d),
    [S.summarize]: (e) => summarizeExecution(e, d),
    [S.promote]: (e) => gate(e, d),
    [S.train]: localTrainingTask({ command: ['node', join(__dirname, '..', 'training-pipeline', 'fixtures', 'train.js')], s3: p.s3 }),
    [S.startBatchInference]: start,
  };
  return new LocalStateMachine(p.definition, { handlers });
}

describe('starting batch inference after training', () => {
  test('the longest model name gets an execution name of at most 80 characters', async () => {
    const p = await localPipeline({ modelName: LONGEST, categories: ['books'] }, { batchInference: true });
    await p.s3.send(new PutObjectCommand({ Bucket: p.deps.datasetsBucket, Key: `${LONGEST}/books/${DATE}/part-0.csv`, Body: GOOD_ROWS }));
    const names: string[] = [];
    const machine = machineOf(p, async (req) => {
      names.push(req.Name);
      return { ExecutionArn: `arn:aws:states:us-east-1:111111111111:execution:scoring:${req.Name}`, StartDate: new Date().toISOString() };
    });
    const res = await machine.start({ model: LONGEST, executionDate: DATE, categories: ['books'] }).outcome;
    expect(res.status).toBe('SUCCEEDED');
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(EXECUTION_NAME);
    expect(names[0].startsWith(LONGEST.slice(0, 43))).toBe(true);
  });

  test('a start that keeps failing ends the execution as BatchInferenceNotStarted, after the summary', async () => {
    const p = await localPipeline({ categories: ['books'] }, { batchInference: true });
    await p.uploadData('books', GOOD_ROWS);
    const machine = machineOf(p, async () => {
      throw Object.assign(new Error('Invalid Name: too long'), { name: 'States.TaskFailed' });
    });
    const execution = machine.start({ model: 'demand-forecast', executionDate: DATE, categories: ['books'] });
    const res = await execution.outcome;
    expect(res).toMatchObject({ status: 'FAILED', error: 'BatchInferenceNotStarted', cause: expect.stringMatching(/Invalid Name/) });
    expect(execution.entered).toContain(S.summarize);
  });
});

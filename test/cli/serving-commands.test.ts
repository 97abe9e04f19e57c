// `mlops status`, `mlops score` and `mlops promote --wait` against the registry in DynamoDB
// Local, with Step Functions answered by the synthesized BatchInference definition in the local
// ASL runner (real handlers, S3 emulator). Waiting uses the injected clock and sleep: no real time.
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import fc from 'fast-check';
import { parseSeconds } from '../../cli/commands/serving';
import { EXIT } from '../../cli/errors';
import { LocalBatch, MODEL, localBatch, predictionLines } from '../batch-inference/local-batch';
import { run } from './support';

const ARN = 'arn:aws:states:us-east-1:111111111111:stateMachine:demand-batch';
const T0 = Date.parse('2026-11-24T09:00:00Z');
let b: LocalBatch;
let failVersion: number | undefined;

/** Step Functions as the CLI sees it: StartExecution runs the local state machine to its end. */
function localSfn(started: unknown[]): SFNClient {
  return {
    async send(cmd: unknown) {
      if (!(cmd instanceof StartExecutionCommand)) throw new Error(`unexpected ${(cmd as object).constructor.name}`);
      const input = JSON.parse(cmd.input.input!);
      started.push({ name: cmd.input.name, stateMachineArn: cmd.input.stateMachineArn, input });
      await b.machine.start(input).outcome;
      return { executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:${cmd.input.name}`, startDate: new Date(T0) };
    },
  } as unknown as SFNClient;
}

/** A clock that only moves when the CLI sleeps; `onSleep` runs at each sleep (what happens meanwhile). */
function fakeTime(onSleep: (n: number) => Promise<void> | void = () => undefined) {
  let t = T0;
  let sleeps = 0;
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => { t += ms; await onSleep(++sleeps); },
    get sleeps() { return sleeps; },
  };
}

const env = { MLOPS_BATCH_INFERENCE_STATE_MACHINE_ARN: ARN };
const cli = (argv: string[], extra: Parameters<typeof run>[1] = {}) => run(argv, { registry: b.registry, env, ...extra });
/** What the ScoreOnPromotion rule would start for a promotion. */
const promotionRun = (version: number) => b.machine.start({ model: MODEL, executionDate: '2026-11-24T09:00:00Z', categories: ['books'], version }).outcome;

beforeAll(async () => {
  b = await localBatch({
    categories: ['books', 'games'],
    scoring: (c, _a, v) => (v === failVersion ? Object.assign(new Error('AlgorithmError: model file is corrupt'), { name: 'States.TaskFailed' }) : { 'out.jsonl': predictionLines(`${c}-v${v}`, 20) }),
  });
  await b.promote('books');
  await b.promote('games');
  expect(await b.machine.start({ model: MODEL, executionDate: '2026-11-24' }).outcome).toMatchObject({ status: 'SUCCEEDED' });
});
afterAll(() => b.cleanup());

test('status shows desired and served per category', async () => {
  const v2 = await b.register('books');
  await b.registry.promote({ model: MODEL, category: 'books', version: v2, actor: 'alice', reason: 'better' });
  const r = await cli(['status', MODEL]);
  expect(r.code).toBe(0);
  const lines = r.out.split('\n');
  expect(lines[0]).toMatch(/^CATEGORY\s+DESIRED\s+SERVED\s+SERVED SINCE\s+STATE$/);
  expect(lines.find((l) => l.startsWith('books'))).toMatch(/^books\s+v2\s+v1\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}\s+v2 waits for its predictions \(promoted /);
  expect(lines.find((l) => l.startsWith('games'))).toMatch(/^games\s+v1\s+v1\s+.*served$/);
  const j = JSON.parse((await cli(['status', MODEL, '--category', 'books', '--json'])).out);
  expect(j).toEqual([expect.objectContaining({ category: 'books', desired: expect.objectContaining({ version: 2 }), served: expect.objectContaining({ version: 1 }), pending: expect.objectContaining({ toVersion: 2, scoring: 'NEEDED' }) })]);
});

test('score --version N starts batch inference of exactly that version; once loaded, the desired version is served', async () => {
  const started: unknown[] = [];
  const r = await cli(['score', MODEL, '--version', '2', '--category', 'books'], { sfn: localSfn(started), now: () => new Date(T0) });
  expect(r.code).toBe(0);
  expect(started).toEqual([{ name: expect.stringMatching(/^score-20261124T090000-[0-9a-f]{6}$/), stateMachineArn: ARN, input: { model: MODEL, executionDate: '2026-11-24', categories: ['books'], version: 2 } }]);
  expect(r.out).toMatch(/^Started scoring of demand\/books v2 on the data of 2026-11-24: arn:aws:states:.*\nA desired version is served as soon as its predictions are loaded; follow it with `mlops status demand --category books`.$/);
  expect((await cli(['status', MODEL, '--category', 'books'])).out).toMatch(/\nbooks\s+v2\s+v2\s+.*served$/);
});

test('score refuses an unknown version, and a version without a category of a model with several', async () => {
  const unknown = await cli(['score', MODEL, '--version', '9', '--category', 'books'], { sfn: localSfn([]) });
  expect(unknown).toMatchObject({ code: EXIT.notFound, err: expect.stringMatching(/version 9 of demand\/books does not exist[\s\S]*mlops versions demand --category books/) });
  const ambiguous = await cli(['score', MODEL, '--version', '1'], { sfn: localSfn([]) });
  expect(ambiguous).toMatchObject({ code: EXIT.usage, err: expect.stringMatching(/has 2 categories[\s\S]*mlops score demand --version 1 --category books/) });
});

test('promote --wait follows the scoring with progress and ends when the version is served', async () => {
  const v3 = await b.register('books');
  // The promotion's scoring runs while the CLI sleeps between its third and fourth poll.
  const time = fakeTime(async (n) => { if (n === 3) expect(await promotionRun(v3)).toMatchObject({ status: 'SUCCEEDED' }); });
  const r = await cli(['promote', MODEL, String(v3), '--category', 'books', '--reason', 'v3 wins', '--wait', '--poll-interval', '30'], time);
  expect(r).toMatchObject({ code: 0, err: '' });
  const lines = r.out.split('\n');
  expect(lines[0]).toBe(`demand/books: production is now v${v3} (was v2), served once its predictions are loaded; v2 is served until then. Undo with: mlops rollback demand --category books`);
  // A line when the state changes and once a minute, not at every poll.
  expect(lines.slice(1, -1)).toEqual([`[0:00] v${v3} is being scored and loaded; v2 is served meanwhile`, `[1:00] v${v3} is being scored and loaded; v2 is served meanwhile`]);
  expect(lines[lines.length - 1]).toMatch(new RegExp(`^demand/books: v${v3} is served since \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} \\(promoted `));
  expect(time.sleeps).toBe(3);
});

test('promote --wait of a rollback within TTL ends at once', async () => {
  const time = fakeTime();
  const r = await cli(['rollback', MODEL, '--category', 'books'], time);
  expect(r.out).toMatch(/rolled back to v2 \(from v3\), served at once/);
  const again = await cli(['promote', MODEL, '3', '--category', 'books', '--reason', 'back again', '--wait', '--json'], time);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.out)).toMatchObject({ pointer: { version: 3 }, served: { version: 3 }, event: { scoring: 'NOT_NEEDED' } });
  expect(time.sleeps).toBe(0);
});

test('promote --wait exits 4 with the reason when scoring fails, and the old version stays served', async () => {
  const bad = await b.register('books');
  failVersion = bad;
  const time = fakeTime(async (n) => { if (n === 1) expect(await promotionRun(bad)).toMatchObject({ status: 'FAILED', error: 'BatchInferenceFailed' }); });
  const r = await cli(['promote', MODEL, String(bad), '--category', 'books', '--reason', 'try', '--wait'], time);
  expect(r.code).toBe(EXIT.other);
  expect(r.err).toMatch(new RegExp(`scoring v${bad} failed, so v3 is still served: States.TaskFailed: AlgorithmError: model file is corrupt`));
  expect(r.err).toMatch(new RegExp(`mlops score demand --version ${bad} --category books`));
  expect((await b.registry.getServed(MODEL, 'books'))?.version).toBe(3);
  expect((await cli(['status', MODEL, '--category', 'books'])).out).toMatch(new RegExp(`books\\s+v${bad}\\s+v3\\s+.*scoring v${bad} failed .*: States.TaskFailed: AlgorithmError: model file is corrupt\\nScore it again with \`mlops score demand --version ${bad} --category books\``));
});

test('promote --wait gives up after --timeout, naming what is still served', async () => {
  const v = await b.register('games');
  const time = fakeTime();
  const r = await cli(['promote', MODEL, String(v), '--category', 'games', '--reason', 'r', '--wait', '--timeout', '120', '--poll-interval', '45'], time);
  expect(r.code).toBe(EXIT.other);
  expect(r.err).toMatch(new RegExp(`demand/games: v${v} is still not served after 2:15 \\(v1 is\\)[\\s\\S]*mlops status demand --category games`));
  expect(time.sleeps).toBe(3);
  const bad = await cli(['promote', MODEL, String(v), '--category', 'games', '--reason', 'r', '--wait', '--timeout', 'soon'], time);
  expect(bad).toMatchObject({ code: EXIT.usage, err: expect.stringMatching(/--timeout soon is not a number of seconds/) });
});

describe('--timeout and --poll-interval values', () => {
  test('every number of seconds from 0 to the maximum is accepted as milliseconds; anything else names the flag', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 300, noNaN: true }), (s) => parseSeconds(String(s), '--poll-interval', 15, 300) === Number(String(s)) * 1000));
    fc.assert(fc.property(
      fc.oneof(fc.double({ min: 300, max: 1e9, noNaN: true, minExcluded: true }), fc.double({ min: -1e9, max: -1e-9, noNaN: true }), fc.string().filter((t) => Number.isNaN(Number(t)))),
      (v) => { expect(() => parseSeconds(String(v), '--poll-interval', 15, 300)).toThrow(/^--poll-interval .* is not a number of seconds from 0 to 300$/); },
    ));
    expect(parseSeconds(undefined, '--timeout', 14_400, 604_800)).toBe(14_400_000);
  });
});

import { AslDefinition, LocalStateMachine, STATE_PAYLOAD_LIMIT_BYTES, extractDefinition, resolveIntrinsics } from '../../local/asl';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';

describe('resolveIntrinsics', () => {
  test('resolves Fn::Join, Ref, Fn::GetAtt and Fn::Sub with placeholders shaped by the resource type', () => {
    const resources = { Fn: { Type: 'AWS::Lambda::Function' }, Topic: { Type: 'AWS::SNS::Topic' } };
    expect(resolveIntrinsics({ 'Fn::Join': ['', ['a:', { 'Fn::GetAtt': ['Fn', 'Arn'] }, ':', { Ref: 'Topic' }, ':', { Ref: 'AWS::Region' }]] }, { resources }))
      .toBe('a:arn:aws:lambda:us-east-1:123456789012:function:Fn:arn:aws:sns:us-east-1:123456789012:Topic:us-east-1');
    expect(resolveIntrinsics({ 'Fn::Sub': ['${X}-${Fn.Arn}-${AWS::AccountId}', { X: 'x' }] }, { resources }))
      .toBe('x-arn:aws:lambda:us-east-1:123456789012:function:Fn-123456789012');
    expect(resolveIntrinsics({ Ref: 'Fn' }, { resources, refs: { Fn: 'my-fn' } })).toBe('my-fn');
  });

  test('extracts the one state machine of a template', () => {
    const template = {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function' },
        Sm: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: { 'Fn::Join': ['', ['{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"', { 'Fn::GetAtt': ['Fn', 'Arn'] }, '","End":true}}}']] } } },
      },
    };
    expect(extractDefinition(template).States.A.Resource).toBe('arn:aws:lambda:us-east-1:123456789012:function:Fn');
    expect(() => extractDefinition({ Resources: {} })).toThrow(/expected exactly one state machine/);
  });
});

describe('LocalStateMachine', () => {
  const def: AslDefinition = {
    StartAt: 'Invoke',
    States: {
      Invoke: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName': FN, 'Payload.$': '$' }, ResultSelector: { 'v.$': '$.Payload.v' }, ResultPath: '$.first', TimeoutSeconds: 10, Next: 'Wait' },
      Wait: {
        Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: 10,
        Parameters: { FunctionName: FN, Payload: { 'token.$': '$$.Task.Token', 'v.$': '$.first.v' } },
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' }],
        ResultPath: '$.answer', End: true,
      },
      TimedOut: { Type: 'Pass', Result: 'timed out', End: true },
    },
  };

  test('maps Lambda tasks to local handlers and hands out task tokens an answer can be sent to', async () => {
    const seen: unknown[] = [];
    const m = new LocalStateMachine(def, { handlers: { Invoke: (e) => ({ v: e.n * 2 }), Wait: (e) => { seen.push(e); } } });
    const exec = m.start({ n: 21 });
    const token = await m.waitForTaskToken({ state: 'Wait' });
    expect(seen).toEqual([{ token, v: 42 }]);
    await m.sendTaskSuccess(token, JSON.stringify({ ok: true }));
    expect(await exec.outcome).toEqual({ status: 'SUCCEEDED', output: { n: 21, first: { v: 42 }, answer: { ok: true } } });
    await expect(m.sendTaskSuccess(token, '{}')).rejects.toThrow(/no task is waiting/);
  });

  test('reports Lambda errors the way Step Functions does (Error = type, Cause = JSON)', async () => {
    const m = new LocalStateMachine(def, { handlers: { Invoke: () => { throw Object.assign(new Error('bad input'), { name: 'ValidationError' }); }, Wait: () => undefined } });
    expect(await m.start({}).outcome).toEqual({ status: 'FAILED', error: 'ValidationError', cause: JSON.stringify({ errorType: 'ValidationError', errorMessage: 'bad input' }) });
  });

  test('timeout overrides exercise a waiting state\'s timeout path', async () => {
    const m = new LocalStateMachine(def, { handlers: { Invoke: () => ({ v: 1 }), Wait: () => undefined }, timeoutOverrides: { Wait: 0.05 } });
    expect(await m.start({}).outcome).toMatchObject({ status: 'SUCCEEDED', output: 'timed out' });
  });

  test('refuses a definition with an unmapped Task (it would call AWS) or written in JSONata', () => {
    expect(() => new LocalStateMachine(def, { handlers: { Invoke: () => ({}) } })).toThrow(/no local handler for Task state\(s\) Wait/);
    const jsonata = { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } as AslDefinition;
    expect(() => new LocalStateMachine(jsonata, { handlers: {}, validate: false })).toThrow(/JSONata/);
  });

  test('validates with asl-validator before running', () => {
    const broken = { StartAt: 'Missing', States: { A: { Type: 'Pass', End: true } } } as AslDefinition;
    expect(() => new LocalStateMachine(broken, { handlers: {} })).toThrow(/invalid state machine definition/);
  });

  test('measures the largest state payload, also inside a Map, against the 256 KiB limit it does not enforce', async () => {
    const mapped: AslDefinition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map', ItemsPath: '$.items', ResultPath: '$.results', End: true,
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Grow', States: { Grow: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName': FN, 'Payload.$': '$' }, OutputPath: '$.Payload', End: true } } },
        },
      },
    };
    const m = new LocalStateMachine(mapped, { handlers: { Grow: (n: number) => 'x'.repeat(n) } });
    const small = m.start({ items: [10, 20] });
    await small.outcome;
    expect(small.largestPayload.bytes).toBeLessThan(100);
    const large = m.start({ items: [200_000, 100_000] });
    expect(await large.outcome).toMatchObject({ status: 'SUCCEEDED' }); // Step Functions would fail it
    expect(large.largestPayload).toEqual({ state: 'Each', bytes: expect.any(Number) });
    expect(large.largestPayload.bytes).toBeGreaterThan(STATE_PAYLOAD_LIMIT_BYTES);
  });
});

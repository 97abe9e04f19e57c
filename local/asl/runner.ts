// Runs a synthesized Step Functions definition in-process with aws-local-stepfunctions, every
// Task state mapped by name to local code. Generic: tests, local mode and benchmarks use it for
// any state machine of the platform.
import './polyfill';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { validateDefinition, assertJsonPath } from './validate';

/** An ASL definition (JSON). */
export type AslDefinition = { StartAt: string; States: Record<string, AslState>; TimeoutSeconds?: number; [k: string]: unknown };
type AslState = { Type: string; Resource?: string; Parameters?: unknown; TimeoutSeconds?: number; Iterator?: AslDefinition; ItemProcessor?: AslDefinition; Branches?: AslDefinition[]; [k: string]: unknown };

/** Local code behind a Task state: receives the state's effective input (its Parameters applied). */
export type LocalTaskHandler = (input: any) => unknown | Promise<unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface LocalRunnerOptions {
  /**
   * Local code per Task state name. For Lambda tasks the handler gets the Lambda event (the
   * `Payload`) and returns the function result; the runner wraps it the way the integration
   * does. Every Task must be mapped: an unmapped Task would call real AWS.
   */
  readonly handlers: Record<string, LocalTaskHandler>;
  /** Milliseconds between retries per state. @default 0 for every state with a Retry */
  readonly retryIntervalOverrides?: Record<string, number>;
  /** Milliseconds Wait states wait. @default 0 for every Wait state */
  readonly waitTimeOverrides?: Record<string, number>;
  /** Task timeouts in seconds (may be fractional) per state, e.g. to exercise a timeout path. */
  readonly timeoutOverrides?: Record<string, number>;
  /** Validate the definition with asl-validator first. @default true */
  readonly validate?: boolean;
}

export interface LocalExecution {
  readonly executionArn: string;
  /** The output, or the failure (never rejects). */
  readonly outcome: Promise<{ status: 'SUCCEEDED'; output: unknown } | { status: 'FAILED'; error: string; cause: string }>;
  /** Names of the states retried, in order. */
  readonly retried: string[];
  /** Names of the states entered, in order. */
  readonly entered: string[];
  /**
   * The largest state input or output seen (UTF-8 bytes of its JSON), the measure Step Functions
   * holds against {@link STATE_PAYLOAD_LIMIT_BYTES}. Complete once `outcome` has resolved.
   */
  readonly largestPayload: { state: string; bytes: number };
  /** StopExecution: the execution ends ABORTED (its outcome is FAILED with error ExecutionAbortedError). */
  abort(): void;
}

/**
 * Step Functions' limit on a state's input or output (and on the execution input): 256 KiB.
 * Above it the execution fails with States.DataLimitExceeded, which `States.ALL` does not catch.
 * The local interpreter does not enforce it: compare `largestPayload` with it.
 */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;

interface PendingToken {
  readonly state: string;
  readonly input: unknown;
  resolve(output: unknown): void;
  reject(e: Error): void;
}

// setTimeout overflows above 2^31-1 ms (~24.8 days) and fires at once: clamp long timeouts.
const MAX_TIMEOUT_SECONDS = 2_000_000;

/** A state machine definition ready to run locally; reusable for many executions. */
export class LocalStateMachine {
  private readonly definition: AslDefinition;
  private readonly tokenPaths = new Map<string, string[]>();
  private readonly pending = new Map<string, PendingToken>();
  private readonly announced = new Set<string>();
  private readonly tokenWaiters: Array<{ predicate: (t: PendingToken) => boolean; resolve: (token: string) => void }> = [];

  constructor(definition: AslDefinition, private readonly options: LocalRunnerOptions) {
    if (options.validate ?? true) validateDefinition(definition);
    assertJsonPath(definition);
    const copy = JSON.parse(JSON.stringify(definition)) as AslDefinition;
    const missing: string[] = [];
    forEachState(copy, (name, state) => {
      if (state.TimeoutSeconds !== undefined) state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMEOUT_SECONDS);
      if (options.timeoutOverrides?.[name] !== undefined) state.TimeoutSeconds = options.timeoutOverrides[name];
      if (state.Type !== 'Task') return;
      if (!options.handlers[name]) missing.push(name);
      const path = replaceTaskToken(state);
      if (path) this.tokenPaths.set(name, path);
    });
    if (missing.length > 0) throw new Error(`no local handler for Task state(s) ${missing.join(', ')}: map every Task, or it would call AWS`);
    if (copy.TimeoutSeconds !== undefined) copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds, MAX_TIMEOUT_SECONDS);
    this.definition = copy;
  }

  /** Starts an execution. */
  start(input: unknown, opts: { name?: string } = {}): LocalExecution {
    const name = opts.name ?? randomUUID();
    const executionArn = `arn:aws:states:us-east-1:123456789012:execution:local:${name}`;
    const retryOverrides: Record<string, number> = {};
    const waitOverrides: Record<string, number> = {};
    forEachState(this.definition, (n, s) => {
      if (Array.isArray(s.Retry)) retryOverrides[n] = this.options.retryIntervalOverrides?.[n] ?? 0;
      if (s.Type === 'Wait') waitOverrides[n] = this.options.waitTimeOverrides?.[n] ?? 0;
    });
    const machine = new StateMachine(this.definition as never, { validationOptions: { noValidate: true } });
    // Tasks still running when the execution is aborted are rejected: the interpreter clears a
    // Task's timeout timer only once its handler settles, and a timer of hours would keep the
    // process (a jest worker) alive long after the test.
    const running = new Set<(e: Error) => void>();
    const taskResourceLocalHandlers: Record<string, (i: unknown) => Promise<unknown>> = {};
    forEachState(this.definition, (n, s) => {
      if (s.Type === 'Task') {
        taskResourceLocalHandlers[n] = (i) => new Promise((resolve, reject) => {
          running.add(reject);
          this.invoke(n, s, i).then(resolve, reject).finally(() => running.delete(reject));
        });
      }
    });
    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, retryIntervalOverrides: retryOverrides, waitTimeOverrides: waitOverrides },
      context: { Execution: { Id: executionArn, Name: name } },
    });
    const retried: string[] = [];
    const entered: string[] = [];
    const largestPayload = { state: '(execution input)', bytes: payloadBytes(input) };
    const measure = (state: string, value: unknown) => {
      const bytes = payloadBytes(value);
      if (bytes > largestPayload.bytes) Object.assign(largestPayload, { state, bytes });
    };
    const drained = (async () => {
      for await (const e of execution.eventLogs) {
        if (e.type === 'StateRetried') retried.push(e.state.name);
        if (e.type === 'StateEntered') { entered.push(e.state.name); measure(e.state.name, e.state.input); }
        if (e.type === 'StateExited') measure(e.state.name, e.state.output);
      }
    })().catch(() => undefined);
    const outcome = execution.result.then(
      (output) => ({ status: 'SUCCEEDED' as const, output }),
      (e: Error & { cause?: { name?: string; message?: string } }) => ({ status: 'FAILED' as const, error: e.cause?.name ?? e.name, cause: e.cause?.message ?? e.message }),
    ).then(async (o) => { await drained; return o; });
    return { executionArn, outcome, retried, entered, largestPayload, abort: () => {
      execution.abort();
      for (const reject of running) reject(new Error('the execution was aborted'));
      running.clear();
    } };
  }

  /** Resolves when a task token is waiting (optionally of a given state / matching input). */
  waitForTaskToken(filter: { state?: string; match?: (input: unknown) => boolean } = {}): Promise<string> {
    const predicate = (t: PendingToken) => (!filter.state || t.state === filter.state) && (!filter.match || filter.match(t.input));
    for (const [token, t] of this.pending) if (this.announced.has(token) && predicate(t)) return Promise.resolve(token);
    return new Promise((resolve) => this.tokenWaiters.push({ predicate, resolve }));
  }

  /** Tokens waiting now (their task's handler has run). */
  pendingTaskTokens(): string[] {
    return [...this.pending.keys()].filter((t) => this.announced.has(t));
  }

  /** SendTaskSuccess: `output` is the JSON text the waiting state receives. */
  async sendTaskSuccess(taskToken: string, output: string): Promise<void> {
    const p = this.take(taskToken);
    p.resolve(JSON.parse(output));
  }

  /** SendTaskFailure. */
  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    const p = this.take(taskToken);
    p.reject(namedError(error, cause));
  }

  private take(taskToken: string): PendingToken {
    const p = this.pending.get(taskToken);
    if (!p) throw Object.assign(new Error(`Invalid token ${taskToken}: no task is waiting for it (already answered or timed out)`), { name: 'TaskDoesNotExist' });
    this.pending.delete(taskToken);
    this.announced.delete(taskToken);
    return p;
  }

  private async invoke(name: string, state: AslState, input: unknown): Promise<unknown> {
    const handler = this.options.handlers[name];
    const resource = state.Resource ?? '';
    const lambdaIntegration = /^arn:[^:]+:states:::lambda:invoke/.test(resource);
    const lambdaDirect = /^arn:[^:]+:lambda:/.test(resource);
    const event = lambdaIntegration ? (input as { Payload?: unknown }).Payload : input;
    const tokenPath = this.tokenPaths.get(name);
    const token = tokenPath ? valueAt(input, tokenPath) : undefined;
    let result: unknown;
    try {
      const waiting = tokenPath ? this.register(name, token, event) : undefined;
      try {
        result = await handler(event);
      } catch (e) {
        if (typeof token === 'string') this.pending.delete(token);
        throw e;
      }
      if (waiting) {
        // Announce the token only once the handler has run (stored it, notified someone).
        this.announce(token as string);
        return await waiting;
      }
    } catch (e) {
      throw lambdaIntegration || lambdaDirect ? lambdaError(e) : e;
    }
    return lambdaIntegration ? { Payload: result, StatusCode: 200, ExecutedVersion: '$LATEST' } : result;
  }

  private register(state: string, token: unknown, input: unknown): Promise<unknown> {
    if (typeof token !== 'string') throw new Error(`state ${state} waits for a task token but none was found in its input`);
    return new Promise((resolve, reject) => {
      const p: PendingToken = { state, input, resolve, reject };
      this.pending.set(token, p);
    });
  }

  private announce(token: string): void {
    const p = this.pending.get(token);
    if (!p) return; // answered already
    this.announced.add(token);
    for (let i = this.tokenWaiters.length - 1; i >= 0; i--) {
      if (this.tokenWaiters[i].predicate(p)) this.tokenWaiters.splice(i, 1)[0].resolve(token);
    }
  }
}

/** Lambda failures reach Step Functions as Error = errorType, Cause = {errorType, errorMessage} JSON. */
function lambdaError(e: unknown): Error {
  const err = e as Error;
  const name = err?.name && err.name !== 'Error' ? err.name : 'Error';
  return namedError(name, JSON.stringify({ errorType: name, errorMessage: err?.message ?? String(e) }));
}

function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** `$$.Task.Token` has no local equivalent: each waiting state gets a fresh UUID instead. */
function replaceTaskToken(state: AslState): string[] | undefined {
  let found: string[] | undefined;
  const walk = (v: unknown, path: string[]) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return;
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k.endsWith('.$') && o[k] === '$$.Task.Token') {
        o[k] = 'States.UUID()';
        found = [...path, k.slice(0, -2)];
      } else walk(o[k], [...path, k.endsWith('.$') ? k.slice(0, -2) : k]);
    }
  };
  walk(state.Parameters, []);
  return found;
}

function valueAt(input: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), input);
}

function payloadBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function forEachState(def: AslDefinition, fn: (name: string, state: AslState) => void): void {
  for (const [name, state] of Object.entries(def.States)) {
    fn(name, state);
    const nested = state.ItemProcessor ?? state.Iterator;
    if (nested) forEachState(nested, fn);
    for (const b of state.Branches ?? []) forEachState(b, fn);
  }
}

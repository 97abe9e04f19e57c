// A parallel composition as one model client: the request fans out to every branch at once, each
// within its own timeout (never past the invoker's deadline), and the answers combine (mean,
// weighted mean, vote) or race ("first"). The result says which branches answered; too few
// answers (below the quorum) is an error of the composition, so the invoker answers from its
// fallback rules and still reports the branches.
import { CombineMethodName, combine, unusable } from './combine';
import { StepClient } from './compose-clients';
import { ModelCallError, ModelCallFailure, ModelClient, ModelInput } from './model-client';

export interface ParallelBranch {
  readonly name: string;
  readonly client: StepClient;
  /** @default 1 */
  readonly weight?: number;
  /** @default the whole deadline */
  readonly timeoutMs?: number;
}

/** What became of one branch: it answered, refused, failed, ran out of time, or its answer was not needed (combine first). */
export type BranchStatus = 'answered' | ModelCallFailure | 'unused';

export interface BranchReport {
  readonly name: string;
  readonly status: BranchStatus;
}

/** A combined prediction and the branches behind it. */
export class ComposedPrediction {
  constructor(readonly prediction: unknown, readonly branches: readonly BranchReport[]) {}
}

/** Too few branches answered; carries their reports. */
export class CompositionError extends ModelCallError {
  constructor(kind: ModelCallFailure, message: string, readonly branches: readonly BranchReport[]) {
    super(kind, message);
  }
}

/** The prediction and, for a parallel composition, its branches (whatever a model client returned). */
export function unwrapComposed(result: unknown): { prediction: unknown; branches?: readonly BranchReport[] } {
  return result instanceof ComposedPrediction ? { prediction: result.prediction, branches: result.branches } : { prediction: result };
}

export interface ParallelCompositionOptions {
  readonly branches: readonly ParallelBranch[];
  readonly combine: CombineMethodName;
  /** @default 1 */
  readonly quorum?: number;
}

type Outcome = { ok: true; prediction: unknown } | { ok: false; error: ModelCallError };

export class ParallelComposition implements ModelClient {
  private readonly quorum: number;

  constructor(private readonly options: ParallelCompositionOptions) {
    this.quorum = options.quorum ?? 1;
  }

  async invoke(input: ModelInput, timeoutMs: number): Promise<ComposedPrediction> {
    const { branches, combine: method } = this.options;
    const outcomes: Array<Outcome | undefined> = branches.map(() => undefined);
    const calls = branches.map((b, i) => this.call(b, input, Math.min(b.timeoutMs ?? timeoutMs, timeoutMs)).then((o) => { outcomes[i] = o; return o; }));
    if (method === 'first') {
      const winner = await firstAnswer(calls);
      const reports = branches.map((b, i): BranchReport => ({ name: b.name, status: i === winner ? 'answered' : statusOf(outcomes[i]) ?? 'unused' }));
      if (winner === undefined) throw this.error(reports, outcomes);
      return new ComposedPrediction((outcomes[winner] as { prediction: unknown }).prediction, reports);
    }
    await Promise.all(calls);
    const reports = branches.map((b, i): BranchReport => ({ name: b.name, status: statusOf(outcomes[i])! }));
    const answered = branches.flatMap((b, i) => {
      const o = outcomes[i]!;
      return o.ok ? [{ name: b.name, weight: b.weight ?? 1, prediction: o.prediction }] : [];
    });
    if (answered.length < this.quorum) throw this.error(reports, outcomes);
    return new ComposedPrediction(combine(method, answered), reports);
  }

  destroy(): void {
    for (const b of this.options.branches) b.client.destroy();
  }

  private async call(branch: ParallelBranch, input: ModelInput, timeoutMs: number): Promise<Outcome> {
    try {
      const answer = await branch.client.call(input, timeoutMs);
      if (!('prediction' in answer)) return { ok: false, error: new ModelCallError('failed', `answered without a "prediction": ${JSON.stringify(answer).slice(0, 200)}`) };
      const why = unusable(this.options.combine, answer.prediction);
      return why ? { ok: false, error: new ModelCallError('failed', why) } : { ok: true, prediction: answer.prediction };
    } catch (e) {
      return { ok: false, error: e instanceof ModelCallError ? e : new ModelCallError('failed', String((e as Error)?.message ?? e)) };
    }
  }

  private error(reports: BranchReport[], outcomes: Array<Outcome | undefined>): CompositionError {
    const failures = outcomes.flatMap((o, i) => (o && !o.ok ? [`${this.options.branches[i].name}: ${o.error.message}`] : []));
    const answered = reports.filter((r) => r.status === 'answered').length;
    // All timed out: the composition timed out; otherwise it failed (a refusal of every branch is the input's fault).
    const kinds = new Set(outcomes.map((o) => (o && !o.ok ? o.error.kind : 'answered')));
    const kind: ModelCallFailure = kinds.size === 1 && kinds.has('timeout') ? 'timeout' : kinds.size === 1 && kinds.has('refused') ? 'refused' : 'failed';
    return new CompositionError(kind, `${answered} of ${reports.length} branches answered, ${this.quorum} needed (${failures.join('; ')})`, reports);
  }
}

/** Index of the first call that answered, or undefined when none did. */
function firstAnswer(calls: Array<Promise<Outcome>>): Promise<number | undefined> {
  return new Promise((resolve) => {
    let pending = calls.length;
    calls.forEach((c, i) => c.then((o) => {
      if (o.ok) resolve(i);
      else if (--pending === 0) resolve(undefined);
    }));
  });
}

function statusOf(o: Outcome | undefined): BranchStatus | undefined {
  return o === undefined ? undefined : o.ok ? 'answered' : o.error.kind;
}

// How the answers of parallel branches become one prediction: mean, weighted mean, vote. Pure
// functions over the branches that answered, in branch order ("first" is a race, not a reduction:
// compose-parallel.ts). A branch whose answer a method cannot use is the branch's failure.
import { canonicalJson } from './input-hash';
import { ModelCallError } from './model-client';

/** What combining accepts: `mean`, `weighted-mean`, `vote`. */
export type CombineMethodName = 'mean' | 'weighted-mean' | 'vote' | 'first';

/** One branch's prediction and weight. */
export interface BranchPrediction {
  readonly name: string;
  readonly weight: number;
  readonly prediction: unknown;
}

/** Weights scaled to sum to 1 (weights must be finite and > 0). */
export function normaliseWeights(weights: readonly number[]): number[] {
  const total = weights.reduce((a, w) => a + w, 0);
  return weights.map((w) => w / total);
}

/** The arithmetic mean of numeric predictions. */
export function mean(answers: readonly BranchPrediction[]): number {
  return weightedMean(answers.map((a) => ({ ...a, weight: 1 })));
}

/** The mean weighted by the branches' weights, normalised over those that answered. */
export function weightedMean(answers: readonly BranchPrediction[]): number {
  const values = answers.map(numeric);
  const weights = normaliseWeights(answers.map((a) => a.weight));
  // Sum of w_i * v_i with sum(w) = 1: within [min, max] up to rounding, which clamping removes.
  const sum = values.reduce((acc, v, i) => acc + weights[i] * v, 0);
  return Math.min(Math.max(sum, Math.min(...values)), Math.max(...values));
}

/** The prediction with the most weight behind it; a tie goes to the earliest branch among the tied. */
export function vote(answers: readonly BranchPrediction[]): unknown {
  const tally = new Map<string, { weight: number; prediction: unknown }>();
  for (const a of answers) {
    const key = canonicalJson(a.prediction);
    const seen = tally.get(key);
    tally.set(key, { weight: (seen?.weight ?? 0) + a.weight, prediction: seen ? seen.prediction : a.prediction });
  }
  let best: { weight: number; prediction: unknown } | undefined;
  // Map keeps first-insertion order, so a strict > leaves ties with the earliest branch.
  for (const entry of tally.values()) if (!best || entry.weight > best.weight) best = entry;
  return best!.prediction;
}

/** Why a branch's prediction cannot take part in the method, or undefined when it can. */
export function unusable(method: CombineMethodName, prediction: unknown): string | undefined {
  if (method !== 'mean' && method !== 'weighted-mean') return undefined;
  return typeof prediction === 'number' && Number.isFinite(prediction) ? undefined : `answered ${JSON.stringify(prediction)}: a mean needs finite numbers (use combine: vote for labels)`;
}

/** Combines the answers (at least one) with a reducing method. */
export function combine(method: Exclude<CombineMethodName, 'first'>, answers: readonly BranchPrediction[]): unknown {
  if (answers.length === 0) throw new ModelCallError('failed', 'no branch answered');
  switch (method) {
    case 'mean': return mean(answers);
    case 'weighted-mean': return weightedMean(answers);
    case 'vote': return vote(answers);
  }
}

function numeric(a: BranchPrediction): number {
  const why = unusable('mean', a.prediction);
  if (why) throw new ModelCallError('failed', `branch ${a.name} ${why}`);
  return a.prediction as number;
}

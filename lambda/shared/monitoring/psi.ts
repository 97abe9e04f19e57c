// Population stability index (PSI) of a sample against a baseline histogram.
//
//   PSI = sum over bins i of (a_i - e_i) * ln(a_i / e_i)
//
// where e_i and a_i are the shares of the baseline (expected) and the current sample (actual)
// in bin i. Reading (Siddiqi, "Credit Risk Scorecards", the usual rule of thumb):
// < 0.1 no meaningful shift, 0.1-0.25 moderate shift, > 0.25 major shift.
//
// Empty bins: a share of 0 makes ln(0) infinite, so a zero share is replaced by EPSILON
// (1e-4, the common convention; shares are not renormalised, which keeps hand computation
// simple and changes the sum by at most k * EPSILON). Consequences:
//   - a bin empty on both sides contributes exactly 0;
//   - a bin empty on one side contributes a bounded, large term: a bin that holds 10 % of the
//     current sample but nothing in the baseline adds (0.1 - 1e-4) * ln(0.1 / 1e-4) = 0.69, i.e.
//     "major shift" on its own, which is the right reading for mass appearing where training
//     never saw any.
// Degenerate bins: duplicate cut points (a constant feature makes every quantile the same)
// describe zero-width bins that can never hold a value; they are merged away before counting,
// so a constant feature that stays constant has PSI 0. A sample or baseline with no values has
// no PSI (undefined): there is nothing to compare, which is not the same as "no drift".

/** Share used in place of 0 for an empty bin. */
export const EPSILON = 1e-4;

/** Histogram of a numeric quantity: `edges` are the ascending cut points, `counts` has one more entry. */
export interface NumericHistogram {
  readonly type: 'numeric';
  /**
   * Cut points c_0 <= c_1 <= ... <= c_{k-2} of k bins: bin 0 is (-inf, c_0), bin i is
   * [c_{i-1}, c_i), the last bin is [c_{k-2}, +inf).
   */
  readonly edges: number[];
  /** Baseline count per bin; `edges.length + 1` entries. */
  readonly counts: number[];
}

/** Histogram of a categorical quantity; values not in `categories` fall into a final "other" bin. */
export interface CategoricalHistogram {
  readonly type: 'categorical';
  readonly categories: string[];
  /** Baseline count per category, plus optionally one more for "other" (0 when absent). */
  readonly counts: number[];
}

export type Histogram = NumericHistogram | CategoricalHistogram;

/** PSI of two count vectors over the same bins; undefined when either side has no values. */
export function psi(expected: readonly number[], actual: readonly number[], epsilon = EPSILON): number | undefined {
  if (expected.length !== actual.length) {
    throw new Error(`psi needs the same number of bins on both sides, but the baseline has ${expected.length} and the sample ${actual.length}: count the sample with the baseline's edges`);
  }
  for (const [side, counts] of [['baseline', expected], ['sample', actual]] as const) {
    counts.forEach((c, i) => {
      if (!Number.isFinite(c) || c < 0) throw new Error(`${side} count of bin ${i} must be a finite number >= 0, but ${c} was provided`);
    });
  }
  const eTotal = sum(expected);
  const aTotal = sum(actual);
  if (eTotal === 0 || aTotal === 0) return undefined;
  let total = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i] / eTotal, epsilon);
    const a = Math.max(actual[i] / aTotal, epsilon);
    total += (a - e) * Math.log(a / e);
  }
  return total;
}

/**
 * Removes zero-width bins (duplicate cut points) from a numeric histogram. The bin [c, c) can
 * hold no value, so its baseline count (0 in a well-formed baseline) is added to the next bin.
 */
export function mergeDegenerateBins(h: NumericHistogram): NumericHistogram {
  validateNumeric(h);
  const edges: number[] = [];
  const counts: number[] = [h.counts[0]];
  for (let i = 0; i < h.edges.length; i++) {
    if (edges.length > 0 && h.edges[i] === edges[edges.length - 1]) {
      // Bin [edges[last], h.edges[i]) is empty by construction: fold its count forward.
      counts[counts.length - 1] += h.counts[i + 1];
    } else {
      edges.push(h.edges[i]);
      counts.push(h.counts[i + 1]);
    }
  }
  return { type: 'numeric', edges, counts };
}

/** Counts values into bins; non-finite numbers and non-numbers are skipped and returned as `skipped`. */
export class BinCounter {
  readonly counts: number[];
  skipped = 0;
  private readonly index?: Map<string, number>;
  private readonly edges: number[] = [];

  constructor(readonly histogram: Histogram) {
    if (histogram.type === 'numeric') {
      this.edges = histogram.edges;
      this.counts = new Array(histogram.edges.length + 1).fill(0);
    } else {
      this.index = new Map(histogram.categories.map((c, i) => [c, i]));
      this.counts = new Array(histogram.categories.length + 1).fill(0);
    }
  }

  add(value: unknown): void {
    if (this.index) {
      if (value === undefined || value === null) { this.skipped++; return; }
      const i = this.index.get(String(value));
      this.counts[i ?? this.counts.length - 1]++;
      return;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) { this.skipped++; return; }
    this.counts[binOf(this.edges, value)]++;
  }
}

/** Baseline counts aligned with {@link BinCounter.counts} (categorical "other" defaults to 0). */
export function baselineCounts(h: Histogram): number[] {
  if (h.type === 'numeric') return h.counts;
  return h.counts.length === h.categories.length ? [...h.counts, 0] : h.counts;
}

/** PSI of `values` against a baseline histogram (degenerate bins merged first). */
export function psiOfValues(baseline: Histogram, values: Iterable<unknown>): number | undefined {
  const h = baseline.type === 'numeric' ? mergeDegenerateBins(baseline) : baseline;
  const counter = new BinCounter(h);
  for (const v of values) counter.add(v);
  return psi(baselineCounts(h), counter.counts);
}

/** Index of the bin holding `value`: the first i with value < edges[i], else the last bin. */
export function binOf(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value < edges[mid]) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/** Checks a histogram read from a baseline file; `field` names it in the error. */
export function validateHistogram(field: string, h: unknown): Histogram {
  const o = h as { type?: string; edges?: unknown; counts?: unknown; categories?: unknown } | undefined;
  if (!o || typeof o !== 'object') throw new Error(`${field} must be a histogram object, but ${JSON.stringify(h)} was provided`);
  const type = o.type ?? (Array.isArray(o.edges) ? 'numeric' : Array.isArray(o.categories) ? 'categorical' : undefined);
  if (type === 'numeric') {
    const n = { type, edges: o.edges as number[], counts: o.counts as number[] } as NumericHistogram;
    validateNumeric(n, field);
    return n;
  }
  if (type === 'categorical') {
    const cats = o.categories;
    const counts = o.counts as number[];
    if (!Array.isArray(cats) || !cats.every((c) => typeof c === 'string')) {
      throw new Error(`${field}.categories must be an array of strings, but ${JSON.stringify(cats)} was provided`);
    }
    if (!Array.isArray(counts) || (counts.length !== cats.length && counts.length !== cats.length + 1)) {
      throw new Error(`${field}.counts must have one count per category (plus optionally one for "other"), but ${JSON.stringify(counts)} was provided for ${cats.length} categories`);
    }
    validateCounts(field, counts);
    return { type, categories: cats as string[], counts };
  }
  throw new Error(`${field}.type must be "numeric" or "categorical", but ${JSON.stringify(o.type)} was provided`);
}

function validateNumeric(h: NumericHistogram, field = 'histogram'): void {
  if (!Array.isArray(h.edges) || !h.edges.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    throw new Error(`${field}.edges must be an array of finite numbers, but ${JSON.stringify(h.edges)} was provided`);
  }
  for (let i = 1; i < h.edges.length; i++) {
    if (h.edges[i] < h.edges[i - 1]) {
      throw new Error(`${field}.edges must be ascending, but ${h.edges[i]} follows ${h.edges[i - 1]}: sort the cut points`);
    }
  }
  if (!Array.isArray(h.counts) || h.counts.length !== h.edges.length + 1) {
    throw new Error(`${field}.counts must have edges.length + 1 = ${h.edges.length + 1} entries, but ${JSON.stringify(h.counts)} was provided`);
  }
  validateCounts(field, h.counts);
}

function validateCounts(field: string, counts: unknown[]): void {
  counts.forEach((c, i) => {
    if (typeof c !== 'number' || !Number.isFinite(c) || c < 0) {
      throw new Error(`${field}.counts[${i}] must be a finite number >= 0, but ${JSON.stringify(c)} was provided`);
    }
  });
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

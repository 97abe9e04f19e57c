/** One line of a bill. */
export interface CostLine {
  /** The model the line belongs to, or `platform` for what all models share. */
  readonly scope: string;
  /** What it pays for: serving, store, training, scoring, storage, network, monitoring. */
  readonly group: string;
  readonly item: string;
  /** The billed quantity, for people (e.g. "1,695 task-h"). */
  readonly quantity: string;
  readonly usd: number;
}

/** A line before it is assigned to a model or the platform. */
export type UnscopedLine = Omit<CostLine, 'scope'>;

export function sumUsd(lines: ReadonlyArray<{ readonly usd: number }>): number {
  return lines.reduce((s, l) => s + l.usd, 0);
}

/** `1234567.8` -> `1,234,568`; small quantities keep two significant decimals. */
export function qty(n: number, unit: string): string {
  const digits = n >= 100 ? 0 : n >= 10 ? 1 : 2;
  return `${n.toLocaleString('en-US', { maximumFractionDigits: digits })} ${unit}`;
}

/** Millions, for request counts: `788.4 M`. */
export function millions(n: number, unit: string): string {
  return `${(n / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })} M ${unit}`;
}

// CloudWatch Embedded Metric Format, written by hand rather than with Powertools Metrics so the
// dimension sets are exactly the ones the alarms query (Powertools adds a `service` dimension
// by default, which would put every metric on a series no alarm reads).
//
// Every emitter writes through `writeEmf`, never `console`: under the Lambda JSON log format
// (LogFormat: JSON on every function) the runtime wraps each console line in
// {timestamp, level, requestId, message}, so `_aws` is no longer at the top level and
// CloudWatch creates no metric. Lines written to process.stdout reach the log stream unchanged,
// in Lambda and under the awslogs driver of the prediction server alike.
import { METRICS } from './contract';

export interface EmfMetric {
  readonly name: string;
  /** CloudWatch unit, e.g. Count, Seconds, Milliseconds, None. */
  readonly unit: string;
  readonly value: number;
}

export interface EmfRecord {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  /** Dimension name -> value; every name used in `dimensionSets` must be here. */
  readonly dimensions: Record<string, string>;
  /** Each set publishes the metrics once more, aggregated over the dimensions it leaves out. */
  readonly dimensionSets: string[][];
  readonly metrics: EmfMetric[];
  /** @default METRICS.namespace */
  readonly namespace?: string;
}

/** One EMF log line: CloudWatch turns it into metrics when it reaches a Lambda or awslogs log stream. */
export function emfLine(r: EmfRecord): string {
  return JSON.stringify({
    _aws: {
      Timestamp: r.timestamp,
      CloudWatchMetrics: [{
        Namespace: r.namespace ?? METRICS.namespace,
        Dimensions: r.dimensionSets,
        Metrics: r.metrics.map((m) => ({ Name: m.name, Unit: m.unit })),
      }],
    },
    ...r.dimensions,
    ...Object.fromEntries(r.metrics.map((m) => [m.name, m.value])),
  });
}


/** Writes EMF lines to process.stdout as they are, one per line (nothing for an empty list). */
export function writeEmf(lines: string | readonly string[]): void {
  const all = typeof lines === 'string' ? [lines] : lines;
  if (all.length > 0) process.stdout.write(`${all.join('\n')}\n`);
}

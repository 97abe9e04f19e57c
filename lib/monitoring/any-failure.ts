import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** One failure signal of a combined alarm: a count and the count at which it alone fires. */
export interface FailureSignal {
  /** Id of the signal in the math expression (lowercase letter first, unique in the alarm). */
  readonly id: string;
  /** A count per period (Sum), published only when something fails. */
  readonly metric: cloudwatch.IMetric;
  /** The count at which this signal fires the alarm (>=). */
  readonly threshold: number;
}

/**
 * Several failure counts of one concern in one alarm, each keeping its own threshold: the
 * expression is the number of signals at or above their threshold in the period, so the alarm
 * (>= 1) fires when any of them would have fired alone. Each count is `FILL(.., 0)`: the
 * publishers emit only when something fails, and one quiet signal must not blank the others.
 */
export function anyFailure(signals: FailureSignal[], period: Duration, label: string): cloudwatch.MathExpression {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  for (const s of signals) usingMetrics[s.id] = s.metric;
  return new cloudwatch.MathExpression({
    expression: signals.map((s) => `(FILL(${s.id}, 0) >= ${s.threshold})`).join(' + '),
    usingMetrics,
    period,
    label,
  });
}

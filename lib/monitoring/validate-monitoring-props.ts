import { Duration, Token } from 'aws-cdk-lib';
import { MODEL_NAME_RULE, isModelName } from '../../lambda/shared/names-and-numbers';
import { wholeNumberProp } from '../common/validate-props';
import { MAX_ALARM_METRICS } from './custom-metrics';

// Validation of the monitor methods' declarations. Errors name the field, the value and the
// fix; unresolved tokens are not checked (they are only known at deploy time).

/** CloudWatch evaluates an alarm over at most 7 days when its period is one hour or longer. */
export const MAX_EVALUATION_HOURS = 7 * 24;

/** Whole hours of a duration used as an hourly alarm window (1 h to 7 days). */
export function windowHours(field: string, d: Duration): number {
  const seconds = d.toSeconds();
  if (Token.isUnresolved(seconds)) return 1;
  const hours = Math.ceil(seconds / 3600);
  if (hours < 1 || hours > MAX_EVALUATION_HOURS) {
    throw new Error(`${field} must be between 1 hour and 7 days (CloudWatch evaluates an alarm over at most 7 days), but ${d.toHumanString()} was provided: shorten the schedule or the grace period`);
  }
  return hours;
}

export function positive(field: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${field} must be a number above 0, but ${value} was provided`);
}

export function percent(field: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value <= 0 || value > 100) throw new Error(`${field} must be a percentage above 0 and at most 100, but ${value} was provided`);
}

export function wholeNumber(field: string, value: number | undefined, min: number): void {
  wholeNumberProp(field, value, min);
}

export function positiveDuration(field: string, d: Duration | undefined): void {
  if (d === undefined || Token.isUnresolved(d.toMilliseconds())) return;
  if (d.toMilliseconds() <= 0) throw new Error(`${field} must be longer than 0, but ${d.toHumanString()} was provided`);
}

/** Model names end up in alarm names, construct ids and metric dimensions. */
export function modelName(field: string, value: string): void {
  if (Token.isUnresolved(value)) {
    throw new Error(`${field} must be a plain string (it becomes construct ids and alarm names), but an unresolved token was provided: pass the model name from the spec`);
  }
  if (!isModelName(value)) {
    throw new Error(`${field} must be ${MODEL_NAME_RULE}, but ${JSON.stringify(value)} was provided`);
  }
  if (field === 'model' && RESERVED_SCOPES.includes(value)) {
    throw new Error(`model must not be ${JSON.stringify(value)}: MlopsMonitoring uses that name for alarms that belong to no model; rename the model`);
  }
}

/** Scopes of alarms that belong to no model (shared tables, the drift loop). */
export const RESERVED_SCOPES = ['shared', 'drift-loop'];

/** Categories become metric dimensions; each combined series costs one metric of the alarm's 10. */
export function categories(field: string, value: string[] | undefined, perCategoryMetrics = 1): void {
  if (value === undefined) return;
  const seen = new Set<string>();
  for (const c of value) {
    if (Token.isUnresolved(c) || typeof c !== 'string' || c === '') throw new Error(`${field} must hold plain, non-empty category names, but ${JSON.stringify(c)} was provided`);
    if (seen.has(c)) throw new Error(`${field} must not repeat a category, but ${JSON.stringify(c)} appears twice`);
    seen.add(c);
  }
  const max = Math.floor(MAX_ALARM_METRICS / perCategoryMetrics);
  if (value.length > max) {
    throw new Error(`${field} can combine at most ${max} categories in one alarm (CloudWatch allows ${MAX_ALARM_METRICS} metrics per alarm), but ${value.length} were provided: omit ${field} and publish the metric with a [Model] dimension set as well`);
  }
}

// The one definition of the names and number ranges the platform accepts. The spec loader, the
// constructs' validators, the registry core (handlers and CLI) and the CLI's own flags import
// these, so a name valid in one place is valid everywhere. No CDK import: handlers bundle it.

/** Model names: registry keys, construct ids, alarm names and metric dimensions. '#' is the registry key separator, so it can never appear. */
export const MODEL_NAME_PATTERN = '^[a-z][a-z0-9-]{0,62}$';
/** What a model name looks like, for messages. */
export const MODEL_NAME_RULE = '1-63 characters: lowercase letters, digits and hyphens, starting with a letter (e.g. "demand-forecast")';

/** Categories: one model version line each. */
export const CATEGORY_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
export const CATEGORY_RULE = '1-64 characters: letters, digits, "_", "." or "-", starting with a letter or digit (e.g. "electronics")';

/** Keys of a run's metrics.json. */
export const METRIC_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_.:/-]{0,127}$';
export const METRIC_NAME_RULE = 'a metric name of letters, digits, "_", ".", ":", "/" or "-", starting with a letter (e.g. "rmse")';

/** Hyperparameter names (keys of hyperparameters.json). */
export const HYPERPARAMETER_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_.-]{0,255}$';
export const HYPERPARAMETER_NAME_RULE = 'letters, digits, "_", "." or "-", starting with a letter or "_"';

const MODEL_NAME = new RegExp(MODEL_NAME_PATTERN);
const CATEGORY = new RegExp(CATEGORY_PATTERN);
const METRIC_NAME = new RegExp(METRIC_NAME_PATTERN);
const HYPERPARAMETER_NAME = new RegExp(HYPERPARAMETER_NAME_PATTERN);

export const isModelName = (v: unknown): v is string => typeof v === 'string' && MODEL_NAME.test(v);
export const isCategory = (v: unknown): v is string => typeof v === 'string' && CATEGORY.test(v);
export const isMetricName = (v: unknown): v is string => typeof v === 'string' && METRIC_NAME.test(v);
export const isHyperparameterName = (v: unknown): v is string => typeof v === 'string' && HYPERPARAMETER_NAME.test(v);

/**
 * The problem with a number that must be whole and within `[min, max]`, or undefined when it is
 * one: `maxConcurrency must be a whole number between 1 and 40, but 41 was provided`.
 */
export function wholeNumberProblem(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return undefined;
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
  return `${field} must be a whole number ${range}, but ${typeof value === 'string' ? JSON.stringify(value) : String(value)} was provided`;
}

/** Throws an Error with {@link wholeNumberProblem}'s message (plus `why`) when `value` is not a whole number in range. */
export function assertWholeNumber(field: string, value: unknown, min: number, max?: number, why = ''): void {
  const problem = wholeNumberProblem(field, value, min, max);
  if (problem) throw new Error(`${problem}${why}`);
}

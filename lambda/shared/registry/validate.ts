import { mlopsCommand } from '../../../cli/command-line';
import { ValidationError } from './errors';
import {
  CATEGORY_RULE, HYPERPARAMETER_NAME_RULE, MODEL_NAME_RULE, isCategory, isHyperparameterName, isMetricName, isModelName,
} from '../names-and-numbers';

// '#' is the key separator, so names follow the shared rules, which never contain it.
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function modelName(field: string, value: unknown): string {
  if (!isModelName(value)) {
    throw new ValidationError(field, value, `use ${MODEL_NAME_RULE}`);
  }
  return value;
}

export function category(field: string, value: unknown): string {
  if (!isCategory(value)) {
    throw new ValidationError(field, value, `use ${CATEGORY_RULE}`);
  }
  return value;
}

export function runId(field: string, value: unknown): string {
  if (typeof value !== 'string' || !RUN_ID.test(value)) {
    throw new ValidationError(field, value, 'use 1-128 characters: letters, digits, "_", ".", ":" or "-", starting with a letter or digit');
  }
  return value;
}

export function version(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValidationError(field, value, `use a whole version number from 1 up, as listed by \`${mlopsCommand('versions', ['<model>'])}\``);
  }
  return value;
}

export function nonEmpty(field: string, value: unknown, fix: string, max = 1024): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new ValidationError(field, value, fix);
  }
  return value;
}

export function optionalString(field: string, value: unknown, max = 1024): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw new ValidationError(field, value, `use a string of at most ${max} characters, or leave it out`);
  }
  return value;
}

export function executionDate(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new ValidationError(field, value, 'use a calendar date as YYYY-MM-DD (e.g. "2026-11-24")');
  }
  return value;
}

export function isoTime(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new ValidationError(field, value, 'use an ISO-8601 timestamp (e.g. "2026-11-24T06:00:00Z")');
  }
  return new Date(value).toISOString();
}

export function metricName(field: string, value: unknown): string {
  if (!isMetricName(value)) {
    throw new ValidationError(field, value, 'use a metric name of letters, digits, "_", ".", ":", "/" or "-", starting with a letter (e.g. "rmse")');
  }
  return value;
}

/** Metrics must be finite numbers: NaN or Infinity would make "best version" meaningless. */
export function metrics(field: string, value: unknown): Record<string, number> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new ValidationError(field, value, 'use an object of metric name to number, e.g. {"rmse": 0.42}');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value)) {
    metricName(`${field} key`, k);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValidationError(`${field}.${k}`, v, 'metric values must be finite numbers (not NaN, Infinity or strings); fix the training code that writes metrics.json');
    }
    out[k] = v;
  }
  return out;
}

/** Hyperparameters are stored as strings, the form SageMaker passes them to the container. */
export function hyperparameters(field: string, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new ValidationError(field, value, 'use an object of name to string, number or boolean, e.g. {"learning_rate": "0.1"}');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!isHyperparameterName(k)) throw new ValidationError(`${field} key`, k, `use ${HYPERPARAMETER_NAME_RULE}`);
    if (typeof v === 'number' && !Number.isFinite(v)) throw new ValidationError(`${field}.${k}`, v, 'use a finite number');
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ValidationError(`${field}.${k}`, v, 'use a string, number or boolean');
    }
    out[k] = String(v);
  }
  return out;
}

export function stringMap(field: string, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new ValidationError(field, value, 'use an object of name to string');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ValidationError(`${field}.${k}`, v, 'use a string');
    out[k] = v;
  }
  return out;
}

export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, value, `use one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function limit(field: string, value: unknown, max = 1000): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(field, value, `use a whole number from 1 to ${max}`);
  }
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// The serving configuration: which models a front end serves, their categories and rules.
// It travels as JSON in one environment variable, written by the construct from the model spec.
import { ValidationError } from '../registry/errors';
import * as v from '../registry/validate';
import { RuleSet, validateRules } from './rules';

export interface ServedModel {
  /** Declared categories; when given, requests for others are rejected with 400. */
  readonly categories?: readonly string[];
  /** Category used when a request names none. @default the only declared category, else required */
  readonly defaultCategory?: string;
  readonly rules: RuleSet;
}

export interface ServingConfig {
  readonly models: Readonly<Record<string, ServedModel>>;
}

/** Parses and validates a serving configuration (a JSON string or an already parsed object). */
export function parseServingConfig(input: unknown, field = 'servingConfig'): ServingConfig {
  let value = input;
  if (typeof input === 'string') {
    try { value = JSON.parse(input); } catch (e) {
      throw new ValidationError(field, input, `use valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(field, value, 'use an object {"models": {"<model>": {...}}}');
  const models = (value as { models?: unknown }).models;
  if (typeof models !== 'object' || models === null || Array.isArray(models) || Object.keys(models).length === 0) {
    throw new ValidationError(`${field}.models`, models, 'serve at least one model: {"models": {"demand-forecast": {"rules": {...}}}}');
  }
  const out: Record<string, ServedModel> = {};
  for (const [name, m] of Object.entries(models as Record<string, unknown>)) {
    const f = `${field}.models.${name}`;
    v.modelName(`${field}.models key`, name);
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new ValidationError(f, m, 'use an object {"categories"?: [...], "defaultCategory"?: "...", "rules"?: {...}}');
    const raw = m as Record<string, unknown>;
    for (const k of Object.keys(raw)) {
      if (!['categories', 'defaultCategory', 'rules'].includes(k)) throw new ValidationError(`${f}.${k}`, raw[k], 'remove it: a served model has "categories", "defaultCategory" and "rules"');
    }
    let categories: string[] | undefined;
    if (raw.categories !== undefined) {
      if (!Array.isArray(raw.categories) || raw.categories.length === 0) throw new ValidationError(`${f}.categories`, raw.categories, 'use a non-empty list of category names, or leave it out to accept any');
      categories = raw.categories.map((c, i) => v.category(`${f}.categories[${i}]`, c));
    }
    const defaultCategory = raw.defaultCategory === undefined ? (categories?.length === 1 ? categories[0] : undefined) : v.category(`${f}.defaultCategory`, raw.defaultCategory);
    if (defaultCategory !== undefined && categories && !categories.includes(defaultCategory)) {
      throw new ValidationError(`${f}.defaultCategory`, defaultCategory, `use one of the declared categories ${categories.join(', ')}`);
    }
    out[name] = { categories, defaultCategory, rules: validateRules(raw.rules, `${f}.rules`) };
  }
  return { models: out };
}

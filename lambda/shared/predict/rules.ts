// Declarative prediction rules (JSON, never evaluated as code). A rule matches when every
// condition in `when` holds (no `when` = always); the first matching rule of a list wins.
//
//   prefilter - checked before the lookup; a match answers at once (source "rule").
//   override  - checked against a model answer; a match replaces it (source "rule").
//   fallback  - checked when there is no valid prediction (missing, expired, no production
//               version, store failure); a match answers (source "fallback"). With no
//               match the answer is a fallback with a null prediction.
import { ValidationError } from '../registry/errors';

/** Facts a condition can test. `prediction` exists only for override rules. */
export const RULE_FIELDS = ['entityId', 'category', 'version', 'prediction'] as const;
export type RuleField = typeof RULE_FIELDS[number];

export const RULE_OPERATORS = ['equals', 'notEquals', 'oneOf', 'notOneOf', 'prefix', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;
export type RuleOperator = typeof RULE_OPERATORS[number];

/** Conditions on one fact; all present operators must hold. */
export type Condition = Partial<Record<RuleOperator, unknown>>;

export interface Rule {
  /** Name reported in answers (`rule`), so every non-model answer is explained. */
  readonly name: string;
  readonly when?: Partial<Record<RuleField, Condition>>;
  /** The answer the rule gives: any JSON value. */
  readonly prediction: unknown;
}

export interface RuleSet {
  readonly prefilter: readonly Rule[];
  readonly override: readonly Rule[];
  readonly fallback: readonly Rule[];
}

export type Facts = Partial<Record<RuleField, unknown>>;

const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const LISTS = ['prefilter', 'override', 'fallback'] as const;

/** Validates rules from JSON; errors name the field path, the value and the fix. */
export function validateRules(value: unknown, field = 'rules'): RuleSet {
  if (value === undefined || value === null) return { prefilter: [], override: [], fallback: [] };
  if (!isObject(value)) throw new ValidationError(field, value, 'use an object with optional "prefilter", "override" and "fallback" lists of rules');
  for (const k of Object.keys(value)) {
    if (!(LISTS as readonly string[]).includes(k)) throw new ValidationError(`${field}.${k}`, value[k], `remove it: rule lists are ${LISTS.join(', ')}`);
  }
  const out: Record<string, Rule[]> = {};
  for (const list of LISTS) {
    const rules = value[list];
    if (rules === undefined) { out[list] = []; continue; }
    if (!Array.isArray(rules)) throw new ValidationError(`${field}.${list}`, rules, 'use a list of rules');
    const names = new Set<string>();
    out[list] = rules.map((r, i) => {
      const rule = validateRule(r, `${field}.${list}[${i}]`, list !== 'override');
      if (names.has(rule.name)) throw new ValidationError(`${field}.${list}[${i}].name`, rule.name, 'give every rule of a list a unique name');
      names.add(rule.name);
      return rule;
    });
  }
  return out as unknown as RuleSet;
}

function validateRule(value: unknown, field: string, beforeLookup: boolean): Rule {
  if (!isObject(value)) throw new ValidationError(field, value, 'use an object {"name": ..., "when"?: {...}, "prediction": ...}');
  for (const k of Object.keys(value)) {
    if (!['name', 'when', 'prediction'].includes(k)) throw new ValidationError(`${field}.${k}`, value[k], 'remove it: a rule has "name", "when" and "prediction"');
  }
  if (typeof value.name !== 'string' || !RULE_NAME.test(value.name)) {
    throw new ValidationError(`${field}.name`, value.name, 'use 1-64 letters, digits, "_", ".", ":" or "-" (e.g. "new-store-default")');
  }
  if (!('prediction' in value) || value.prediction === undefined) {
    throw new ValidationError(`${field}.prediction`, undefined, 'give the answer the rule returns (any JSON value, null included)');
  }
  if (value.when === undefined) return { name: value.name, prediction: value.prediction };
  if (!isObject(value.when)) throw new ValidationError(`${field}.when`, value.when, `use an object of fact to condition, facts: ${RULE_FIELDS.join(', ')}`);
  const when: Record<string, Condition> = {};
  for (const [fact, cond] of Object.entries(value.when)) {
    if (!(RULE_FIELDS as readonly string[]).includes(fact)) throw new ValidationError(`${field}.when.${fact}`, cond, `use one of the facts ${RULE_FIELDS.join(', ')}`);
    if (fact === 'prediction' && beforeLookup) {
      throw new ValidationError(`${field}.when.prediction`, cond, 'only override rules can test the prediction: prefilter and fallback rules run without one');
    }
    when[fact] = validateCondition(cond, `${field}.when.${fact}`);
  }
  return { name: value.name, when, prediction: value.prediction };
}

function validateCondition(value: unknown, field: string): Condition {
  if (!isObject(value) || Object.keys(value).length === 0) {
    throw new ValidationError(field, value, `use an object of operator to operand, operators: ${RULE_OPERATORS.join(', ')} (e.g. {"oneOf": ["a", "b"]})`);
  }
  for (const [op, operand] of Object.entries(value)) {
    const f = `${field}.${op}`;
    switch (op) {
      case 'equals': case 'notEquals':
        if (!isScalar(operand)) throw new ValidationError(f, operand, 'use a string, number, boolean or null');
        break;
      case 'oneOf': case 'notOneOf':
        if (!Array.isArray(operand) || operand.length === 0 || !operand.every(isScalar)) throw new ValidationError(f, operand, 'use a non-empty list of strings, numbers or booleans');
        break;
      case 'prefix':
        if (typeof operand !== 'string' || operand === '') throw new ValidationError(f, operand, 'use a non-empty string');
        break;
      case 'gt': case 'gte': case 'lt': case 'lte':
        if (typeof operand !== 'number' || !Number.isFinite(operand)) throw new ValidationError(f, operand, 'use a finite number');
        break;
      case 'exists':
        if (typeof operand !== 'boolean') throw new ValidationError(f, operand, 'use true or false');
        break;
      default:
        throw new ValidationError(f, operand, `use one of the operators ${RULE_OPERATORS.join(', ')}`);
    }
  }
  return value as Condition;
}

/** The first rule of the list whose conditions all hold for the facts. */
export function firstMatch(rules: readonly Rule[], facts: Facts): Rule | undefined {
  for (const rule of rules) if (matches(rule, facts)) return rule;
  return undefined;
}

export function matches(rule: Rule, facts: Facts): boolean {
  if (!rule.when) return true;
  for (const [fact, cond] of Object.entries(rule.when)) {
    if (cond && !holds(cond, facts[fact as RuleField])) return false;
  }
  return true;
}

function holds(cond: Condition, v: unknown): boolean {
  for (const [op, operand] of Object.entries(cond)) {
    switch (op as RuleOperator) {
      case 'equals': if (v !== operand) return false; break;
      case 'notEquals': if (v === operand) return false; break;
      case 'oneOf': if (!(operand as unknown[]).includes(v)) return false; break;
      case 'notOneOf': if ((operand as unknown[]).includes(v)) return false; break;
      case 'prefix': if (typeof v !== 'string' || !v.startsWith(operand as string)) return false; break;
      // Numeric comparisons never match a non-number (an object prediction, a missing version).
      case 'gt': if (typeof v !== 'number' || !(v > (operand as number))) return false; break;
      case 'gte': if (typeof v !== 'number' || !(v >= (operand as number))) return false; break;
      case 'lt': if (typeof v !== 'number' || !(v < (operand as number))) return false; break;
      case 'lte': if (typeof v !== 'number' || !(v <= (operand as number))) return false; break;
      case 'exists': if ((v !== undefined && v !== null) !== operand) return false; break;
    }
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

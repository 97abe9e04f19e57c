import { Token } from 'aws-cdk-lib';
import { parseServingConfig } from '../../lambda/shared/predict/config';

/**
 * Conditions on one fact; every given operator must hold. Operands are JSON values.
 */
export interface RuleCondition {
  /** Fact equals this value. @default - not tested */
  readonly equals?: any;
  /** Fact differs from this value. @default - not tested */
  readonly notEquals?: any;
  /** Fact is one of these values. @default - not tested */
  readonly oneOf?: any[];
  /** Fact is none of these values. @default - not tested */
  readonly notOneOf?: any[];
  /** Fact is a string starting with this prefix. @default - not tested */
  readonly prefix?: string;
  /** Fact is a number greater than this. @default - not tested */
  readonly gt?: number;
  /** Fact is a number greater than or equal to this. @default - not tested */
  readonly gte?: number;
  /** Fact is a number less than this. @default - not tested */
  readonly lt?: number;
  /** Fact is a number less than or equal to this. @default - not tested */
  readonly lte?: number;
  /** Fact is present (true) or absent (false). @default - not tested */
  readonly exists?: boolean;
}

/** The facts a rule can test. */
export interface RuleConditions {
  /** The requested entity id. @default - not tested */
  readonly entityId?: RuleCondition;
  /** The requested category. @default - not tested */
  readonly category?: RuleCondition;
  /** The production version (absent before the first promotion). @default - not tested */
  readonly version?: RuleCondition;
  /** The model's prediction (override rules only). @default - not tested */
  readonly prediction?: RuleCondition;
}

/** One declarative rule: when all conditions hold, answer `prediction`. */
export interface PredictionRule {
  /** Name reported in answers that the rule gives. */
  readonly name: string;
  /**
   * Conditions; all must hold.
   * @default - always matches
   */
  readonly when?: RuleConditions;
  /** The answer (any JSON value). */
  readonly prediction: any;
}

/**
 * Rules of a served model. Precedence: a matching prefilter rule answers before the lookup;
 * a model answer is replaced by the first matching override rule; when there is no valid
 * prediction (missing, expired, no production version, store failure) the first matching
 * fallback rule answers, else a fallback with a null prediction. First match wins per list.
 */
export interface PredictionRules {
  /** Rules checked before the lookup. @default - none */
  readonly prefilter?: PredictionRule[];
  /** Rules that replace a model answer. @default - none */
  readonly override?: PredictionRule[];
  /** Rules that answer when there is no valid prediction. @default - none (null prediction) */
  readonly fallback?: PredictionRule[];
}

/** A model served by a prediction front end. */
export interface ServedModelProps {
  /** Model name, as in the registry (e.g. "demand-forecast"). */
  readonly model: string;
  /**
   * Categories served; requests for other categories are rejected with 400.
   * @default - any valid category name
   */
  readonly categories?: string[];
  /**
   * Category used when a request names none.
   * @default - the only category when exactly one is declared, else requests must name one
   */
  readonly defaultCategory?: string;
  /**
   * Declarative rules (JSON, never evaluated as code).
   * @default - no rules: missing predictions are answered with a null fallback
   */
  readonly rules?: PredictionRules;
}

/** A recurring window of peak traffic (spikes at known hours). */
export interface PeakWindow {
  /** Hour (0-23) the peak starts, in `timeZone`. */
  readonly startHour: number;
  /** Hour (1-24) the peak ends, in `timeZone`. */
  readonly endHour: number;
  /**
   * Days of the week, in cron syntax (e.g. "MON-FRI").
   * @default "*" (every day)
   */
  readonly daysOfWeek?: string;
  /**
   * IANA time zone of the hours.
   * @default "UTC"
   */
  readonly timeZone?: string;
}

/**
 * The serving configuration JSON (MLOPS_SERVING_CONFIG) for the models, validated with the
 * runtime's own parser, so a rule the server would refuse fails the synth instead.
 */
export function servingConfigJson(models: readonly ServedModelProps[]): string {
  if (!Token.isUnresolved(models) && models.length === 0) {
    throw new Error('models must list at least one served model, but an empty list was provided: pass e.g. [{ model: "demand-forecast" }]');
  }
  const config: Record<string, unknown> = {};
  models.forEach((m, i) => {
    if (Object.prototype.hasOwnProperty.call(config, m.model)) {
      throw new Error(`models[${i}].model "${m.model}" is listed twice: list each model once`);
    }
    config[m.model] = { categories: m.categories, defaultCategory: m.defaultCategory, rules: m.rules };
  });
  const json = JSON.stringify({ models: config });
  try {
    parseServingConfig(json, 'models');
  } catch (e) {
    throw new Error(`invalid serving configuration: ${(e as Error).message}`);
  }
  return json;
}

/** Validates peak windows; errors name the field, the value and the fix. */
export function validatePeakWindows(windows: readonly PeakWindow[] | undefined, field = 'peakWindows'): void {
  (windows ?? []).forEach((w, i) => {
    if (!Token.isUnresolved(w.startHour) && (!Number.isInteger(w.startHour) || w.startHour < 0 || w.startHour > 23)) {
      throw new Error(`${field}[${i}].startHour must be a whole hour between 0 and 23, but ${w.startHour} was provided`);
    }
    if (!Token.isUnresolved(w.endHour) && (!Number.isInteger(w.endHour) || w.endHour < 1 || w.endHour > 24 || w.endHour <= w.startHour)) {
      throw new Error(`${field}[${i}].endHour must be a whole hour after startHour (${w.startHour}) and at most 24, but ${w.endHour} was provided`);
    }
  });
}

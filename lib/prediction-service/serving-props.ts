import { Duration, Token } from 'aws-cdk-lib';
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { validatePeakSchedule } from './peak-schedule';

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

/**
 * A recurring window of peak traffic (spikes at known hours), in wall-clock time of `timeZone`.
 * Give `duration` (the window may run past midnight and past the week's end) or `endHour` (it
 * ends on the day it starts).
 */
export interface PeakWindow {
  /** Hour (0-23) the peak starts, in `timeZone`. */
  readonly startHour: number;
  /**
   * Minute (0-59) of `startHour` the peak starts.
   * @default 0
   */
  readonly startMinute?: number;
  /**
   * How long the peak lasts: whole minutes, 1 minute to 24 hours. The end is start + duration in
   * wall-clock time, so a window across a daylight saving change lasts an hour less or more.
   * @default - until `endHour`
   */
  readonly duration?: Duration;
  /**
   * Hour (1-24) the peak ends, on the day it starts.
   * @default - start + `duration`
   */
  readonly endHour?: number;
  /**
   * Days of the week the peak starts on: `*` or day names, lists and ranges (e.g. "MON-FRI",
   * "SAT,SUN"). The end falls on the next day when the window runs past midnight.
   * @default "*" (every day)
   */
  readonly daysOfWeek?: string;
  /**
   * IANA time zone of the hours; all windows of one front end share it.
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

/**
 * Validates peak windows; errors name the field, the value and the fix. The rules are those of
 * the schedule itself (see peak-schedule.ts), so what passes here is what gets scheduled.
 */
export function validatePeakWindows(windows: readonly PeakWindow[] | undefined, field = 'peakWindows'): void {
  if (windows?.length) validatePeakSchedule(windows, field);
}

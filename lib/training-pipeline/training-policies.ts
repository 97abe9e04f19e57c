import { Duration } from 'aws-cdk-lib';

/** Format of the input data files. */
export enum DataFormat {
  /** CSV with a header row (RFC 4180 quoting). */
  CSV = 'csv',
  /** JSON Lines: one JSON object per line. */
  JSONL = 'jsonl',
}

/** Type a declared column must hold. */
export enum ColumnType {
  STRING = 'string',
  NUMBER = 'number',
  INTEGER = 'integer',
  /** A calendar date, YYYY-MM-DD. */
  DATE = 'date',
  BOOLEAN = 'boolean',
  /** ISO-8601 date or date-time. */
  TIMESTAMP = 'timestamp',
}

/** A column the input data must have. */
export interface ColumnDefinition {
  /** Column (CSV header) or field (JSON Lines) name. */
  readonly name: string;
  /** Type of every value. */
  readonly type: ColumnType;
  /**
   * Empty values (or JSON null) are allowed.
   * @default false
   */
  readonly nullable?: boolean;
}

/** What the input data of each category must look like before any training is paid for. */
export interface DataValidationOptions {
  /**
   * File format.
   * @default DataFormat.CSV
   */
  readonly format?: DataFormat;
  /**
   * Columns that must be present, with their types (checked on the first `sampleRows` rows).
   * @default - no column checks
   */
  readonly columns?: ColumnDefinition[];
  /**
   * Fewest data rows per category.
   * @default 1
   */
  readonly minRows?: number;
  /**
   * Oldest the newest input object may be at the scheduled time (stale data is refused).
   * A daily pipeline allows a day and a half. `Duration.seconds(0)` turns the check off.
   * @default Duration.hours(36)
   */
  readonly maxAge?: Duration;
  /**
   * Rows type-checked per category (all rows are counted).
   * @default 1000
   */
  readonly sampleRows?: number;
}

/** Whether a bigger or a smaller metric is better. */
export enum MetricDirection {
  MAXIMIZE = 'maximize',
  MINIMIZE = 'minimize',
}

/** How a new version is compared with the production version of its category. */
export interface EvaluationPolicy {
  /** Metric of metrics.json compared (e.g. 'rmse'). */
  readonly metric: string;
  /** Whether bigger or smaller is better. */
  readonly direction: MetricDirection;
  /**
   * Least improvement over production, in metric units, to count as better.
   * @default 0 (strictly better)
   */
  readonly minImprovement?: number;
  /**
   * Absolute bar a version must meet to be promoted (>= when maximizing, <= when minimizing).
   * @default - no bar
   */
  readonly threshold?: number;
}

/** What happens to a version that beats production. */
export enum PromotionMode {
  /** Promote automatically. */
  AUTO = 'auto',
  /** Ask for approval (SNS) and wait for it with a timeout. */
  MANUAL = 'manual',
  /** Only register; promote by hand with the CLI. */
  NONE = 'none',
}

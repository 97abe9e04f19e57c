import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** How urgent an alarm is. Every alarm notifies the topic; critical ones also page (one paging alarm per model and area). */
export enum AlarmSeverity {
  /** Look at it today: something degrades but answers are still served within the objectives. */
  WARNING = 'warning',
  /** Act now: an objective (SLO, RPO) is breached or about to be. */
  CRITICAL = 'critical',
}

/** Which part of the platform an alarm watches (also the dashboard section it belongs to). */
export enum MonitoredArea {
  TRAINING = 'training',
  PREDICTIONS = 'predictions',
  SERVING = 'serving',
  STORE = 'store',
  QUALITY = 'quality',
  DRIFT = 'drift',
}

/**
 * An alarm as data: what it watches, when it fires, and what a person should do. The monitor
 * methods turn typed declarations (SLOs, RPO, schedule) into these, and one builder turns these
 * into CloudWatch alarms, so every alarm gets an action and a runbook line the same way.
 * Not exported from the package: the monitor methods are the public API.
 */
export interface AlarmDeclaration {
  /** Construct id within the model's scope, and the suffix of the alarm name. */
  readonly id: string;
  readonly severity: AlarmSeverity;
  readonly area: MonitoredArea;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  /** What the alarm means, in one sentence. */
  readonly meaning: string;
  /** What to do first (the runbook line). */
  readonly firstAction: string;
}

/** An alarm created by MlopsMonitoring, with the declaration facts callers and tests need. */
export interface MonitoringAlarm {
  /** Model the alarm belongs to (or the table label for shared stores). */
  readonly model: string;
  /** Id of the alarm within the model, e.g. `PredictionsStaleCritical`. */
  readonly id: string;
  readonly severity: AlarmSeverity;
  readonly area: MonitoredArea;
  readonly alarm: cloudwatch.Alarm;
}

/**
 * What a page of each area means: the description of the paging alarm of a model and area,
 * which fires when any critical alarm of that area fires.
 */
export const PAGE_MEANINGS: Record<MonitoredArea, string> = {
  [MonitoredArea.TRAINING]: 'a critical training alarm fired.',
  [MonitoredArea.PREDICTIONS]: 'no fresh prediction batch for a category since the critical age: its predictions expire before the next scheduled batch and answers will fall back.',
  [MonitoredArea.SERVING]: 'online answers breach their objective: p99 latency, 5xx rate or running tasks.',
  [MonitoredArea.STORE]: 'DynamoDB returns server errors for a table.',
  [MonitoredArea.QUALITY]: 'a critical model quality alarm fired.',
  [MonitoredArea.DRIFT]: 'a critical drift alarm fired.',
};

/** The description CloudWatch shows and sends: meaning, severity and the first action. */
export function alarmDescription(model: string, d: AlarmDeclaration): string {
  const text = `[${d.severity.toUpperCase()}] ${model}: ${d.meaning} First action: ${d.firstAction}`;
  // CloudWatch limits descriptions to 1024 characters.
  return text.length > 1024 ? `${text.slice(0, 1021)}...` : text;
}

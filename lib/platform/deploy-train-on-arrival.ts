import { Annotations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { TrainOnArrival } from '../data-ingestion/train-on-arrival';
import { ModelSpec } from '../spec/model-spec';
import { TrainingPipeline } from '../training-pipeline/training-pipeline';

/**
 * `data.ingestion.triggersTraining: true`: each delivered window starts training for its date.
 * The time schedule is then created disabled: a scheduled run reads its own date's folder, which
 * ingestion fills only once that date's first window has ended (MLOPS-IngestionFeedsTraining).
 * `schedule.cron` stays the cadence the freshness checks and alarms assume.
 */
export function deployTrainOnArrival(scope: Construct, spec: ModelSpec, pipeline: TrainingPipeline, logRetention: logs.RetentionDays): TrainOnArrival | undefined {
  if (!spec.data.ingestion?.triggersTraining) return undefined;
  const trigger = new TrainOnArrival(scope, 'TrainOnArrival', { model: spec.name, stateMachine: pipeline.stateMachine, logRetention });
  const schedule = pipeline.schedule?.node.defaultChild as scheduler.CfnSchedule | undefined;
  if (schedule) {
    schedule.state = 'DISABLED';
    Annotations.of(scope).addInfo(`${spec.name}: data.ingestion.triggersTraining is set, so training follows each delivered window and the schedule "${spec.schedule.cron}" is created disabled`);
  }
  return trigger;
}

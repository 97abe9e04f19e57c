// Training on data arrival: each delivered window starts the model's training pipeline once, for
// the date its parts are filed under. The execution is named after the model and the window, so
// a repeated event (EventBridge delivers at least once; a re-run window) starts nothing new.
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DataArrivedDetail } from './deliver';

/** What the construct fixes (the handler's MLOPS_TRAIN_ON_ARRIVAL_CONFIG). */
export interface TrainOnArrivalConfig {
  readonly model: string;
  readonly stateMachineArn: string;
}

/** The EventBridge event the rule passes on unchanged. */
export interface DataArrivedEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: DataArrivedDetail;
}

export interface TrainOnArrivalResult {
  readonly status: 'STARTED' | 'ALREADY_STARTED';
  readonly name: string;
  readonly executionArn?: string;
}

/** `<model>-<date>-<HHmm>-<N>m` within Step Functions' 80 characters and character set. */
export function arrivalExecutionName(model: string, date: string, label: string): string {
  const suffix = `-${date}-${label}`;
  return `${model.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80 - suffix.length)}${suffix}`;
}

/** The training pipeline's input for a delivered window: its date and the categories it delivered. */
export function arrivalExecutionInput(detail: DataArrivedDetail): { executionDate: string; categories: string[]; trigger: string } {
  return { executionDate: detail.date, categories: detail.categories, trigger: 'data-arrival' };
}

export async function trainOnArrival(event: DataArrivedEvent, config: TrainOnArrivalConfig, deps: { sfn: Pick<SFNClient, 'send'> }): Promise<TrainOnArrivalResult> {
  const d = event.detail;
  if (d?.model !== config.model || !/^\d{4}-\d{2}-\d{2}$/.test(d.date ?? '') || !/^\d{4}-\d+m$/.test(d.label ?? '')) {
    throw new Error(`not a Data Arrived event of ${config.model}: detail ${JSON.stringify({ model: d?.model, date: d?.date, label: d?.label })}; check the rule's event pattern`);
  }
  const name = arrivalExecutionName(config.model, d.date, d.label);
  try {
    const res = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn: config.stateMachineArn, name, input: JSON.stringify(arrivalExecutionInput(d)) }));
    return { status: 'STARTED', name, executionArn: res.executionArn };
  } catch (e) {
    // Step Functions keeps names for 90 days: the window has trained (or is training) already.
    if ((e as Error).name === 'ExecutionAlreadyExists') return { status: 'ALREADY_STARTED', name };
    throw e;
  }
}

// The local code behind each Task state of the ingestion state machine (DataIngestion), by state
// name: the real window and delivery handlers, configured from the environment the template gives
// their functions, with the emulators' clients; the job (ecs:runTask.sync) on a stand-in that runs
// the task definition's own container command (see local/container/ingestion-job.ts). Tests and
// local mode share this map.
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { deliver } from '../../lambda/ingestion-deliver';
import { fetchWindow } from '../../lambda/ingestion-fetch';
import { FetchDeps, FetchInput } from '../../lambda/shared/ingestion/fetch';
import { FetchConfig, INGEST_SOURCE_ENV } from '../../lambda/shared/ingestion/source';
import { computeWindow } from '../../lambda/ingestion-window';
import { INGESTION_ENV, INGESTION_EVENTS, INGESTION_STATES } from '../../lambda/shared/ingestion/constants';
import { DataArrivedDetail, DeliveryConfig } from '../../lambda/shared/ingestion/deliver';
import { IngestionCadence } from '../../lambda/shared/ingestion/window';
import { AslDefinition, LocalTaskHandler } from '../asl';
import { FunctionEnvironment } from './batch-handlers';

export { INGESTION_STATES };

export interface IngestionHandlerDeps {
  readonly s3: S3Client;
  /** The environment of the function behind a Task state (resolved from the template). */
  readonly environment: FunctionEnvironment;
  /** The ingestion job (an ECS RunTask request). */
  readonly runJob: LocalTaskHandler;
  /**
   * Where an HTTP source's secret comes from (`GetSecretValue`).
   * @default - none: a source with a secret fails, saying local mode has no Secrets Manager
   */
  readonly secrets?: FetchDeps['secrets'];
  /** Receives each `Data Arrived` event the delivery emits (EventBridge in AWS). */
  readonly onDataArrived: (detail: DataArrivedDetail) => void;
  readonly now: () => Date;
  /**
   * Where the delivery's metric lines go.
   * @default - stdout, as in Lambda
   */
  readonly emit?: (lines: string) => void;
}

const NO_SECRETS: FetchDeps['secrets'] = {
  send: async () => { throw new Error('the HTTP source names a secret, and local mode has no Secrets Manager: remove data.ingestion.source.http.secret to try the source locally'); },
};

/** Every Task state of an ingestion definition mapped to local code; throws for a Task this map does not know. */
export function ingestionTaskHandlers(definition: AslDefinition, deps: IngestionHandlerDeps): Record<string, LocalTaskHandler> {
  const S = INGESTION_STATES;
  const config = <T>(state: string, name: string): T => {
    const v = deps.environment(state)[name];
    if (!v) throw new Error(`the function of state ${state} has no ${name} in its environment`);
    return JSON.parse(v) as T;
  };
  const events = {
    send: async (command: PutEventsCommand) => {
      for (const e of command.input.Entries ?? []) {
        if (e.Source === INGESTION_EVENTS.source && e.DetailType === INGESTION_EVENTS.dataArrived) deps.onDataArrived(JSON.parse(e.Detail ?? '{}') as DataArrivedDetail);
      }
      return { FailedEntryCount: 0, Entries: (command.input.Entries ?? []).map((_, i) => ({ EventId: `local-${i}` })) };
    },
  };
  const handlers: Record<string, LocalTaskHandler> = {
    [S.window]: (e) => computeWindow(e, config<IngestionCadence>(S.window, INGESTION_ENV.cadence)),
    [S.job]: deps.runJob,
    // The source bucket (an S3 source) is looked up in the S3 emulator too.
    [S.fetch]: (e) => fetchWindow(e as FetchInput, config<FetchConfig>(S.fetch, INGEST_SOURCE_ENV), { source: deps.s3, staging: deps.s3, secrets: deps.secrets ?? NO_SECRETS, fetch }),
    [S.deliver]: (e) => deliver(e, config<DeliveryConfig>(S.deliver, INGESTION_ENV.config), { s3: deps.s3, events: events as never, now: deps.now, ...(deps.emit ? { emit: deps.emit } : {}) }),
  };
  const unknown = Object.entries(definition.States).filter(([name, s]) => s.Type === 'Task' && !(name in handlers)).map(([name]) => name);
  if (unknown.length) throw new Error(`the ingestion state machine has Task states local mode does not know: ${unknown.join(', ')}; map them in local/pipelines/ingestion-handlers.ts`);
  return handlers;
}

/** Progress lines of one ingestion execution: its window, each category's delivered part, the manifest. */
export function ingestionSummary(execution: { status: string; output?: unknown }, arrived: readonly DataArrivedDetail[], bucket: string): string[] {
  const out = execution.output as { window?: { start: string; end: string }; delivery?: { manifestKey: string; rows: number } } | undefined;
  const lines = out?.window ? [`window [${out.window.start}, ${out.window.end})`] : [];
  for (const d of arrived) {
    for (const p of d.parts) lines.push(`${p.category}: ${p.rows} rows${p.key ? ` -> s3://${bucket}/${p.key}` : ' (nothing written)'}${p.problems.length ? `; ${p.problems.join('; ')}` : ''}`);
    lines.push(`manifest s3://${bucket}/${d.manifestKey}; Data Arrived for ${d.date} (${d.label})`);
  }
  return lines;
}

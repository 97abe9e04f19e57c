import { loggedHandler } from '../shared/monitoring/logger';
import { INGESTION_ENV } from '../shared/ingestion/constants';
import { IngestionCadence, IngestionWindow, ingestionWindow } from '../shared/ingestion/window';

/** The window a scheduled (or re-run) execution ingests: `scheduledTime` is the Scheduler's `<aws.scheduler.scheduled-time>`. */
export async function computeWindow(event: { scheduledTime: string }, cadence: IngestionCadence = JSON.parse(process.env[INGESTION_ENV.cadence] ?? '{}')): Promise<IngestionWindow> {
  return ingestionWindow(new Date(event.scheduledTime), cadence);
}

export const handler = loggedHandler('ingestion-window', (event: { scheduledTime: string }) => computeWindow(event));

import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { loggedHandler } from '../shared/monitoring/logger';
import { INGESTION_ENV } from '../shared/ingestion/constants';
import { DeliveryConfig, DeliveryDeps, DeliveryInput, deliverWindow } from '../shared/ingestion/deliver';

/** Validates and writes one window's delivery (see deliverWindow); returns the manifest without the parts' problems. */
export async function deliver(event: DeliveryInput, config: DeliveryConfig, deps: DeliveryDeps) {
  const m = await deliverWindow(event, config, deps);
  return { manifestKey: m.manifestKey, rows: m.rows, window: m.window };
}

export const handler = loggedHandler('ingestion-deliver', (event: DeliveryInput) => deliver(
  event,
  JSON.parse(process.env[INGESTION_ENV.config] ?? '{}') as DeliveryConfig,
  { s3: new S3Client({}), events: new EventBridgeClient({}), now: () => new Date() },
));

import { SFNClient } from '@aws-sdk/client-sfn';
import { loggedHandler } from '../shared/monitoring/logger';
import { INGESTION_ENV } from '../shared/ingestion/constants';
import { DataArrivedEvent, TrainOnArrivalConfig, trainOnArrival } from '../shared/ingestion/trigger';

export { trainOnArrival };

export const handler = loggedHandler('ingestion-train-on-arrival', (event: DataArrivedEvent) => trainOnArrival(
  event,
  JSON.parse(process.env[INGESTION_ENV.trainOnArrival] ?? '{}') as TrainOnArrivalConfig,
  { sfn: new SFNClient({}) },
));

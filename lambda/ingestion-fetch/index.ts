import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loggedHandler } from '../shared/monitoring/logger';
import { FetchConfig, INGEST_SOURCE_ENV } from '../shared/ingestion/source';
import { FetchDeps, FetchInput, fetchWindow } from '../shared/ingestion/fetch';

export { fetchWindow };

/** Fetches one window from the model's built-in source (an S3 prefix or an HTTP(S) endpoint) into the run's staging prefix. */
export const handler = loggedHandler('ingestion-fetch', (event: FetchInput) => {
  // The source bucket may be in another region: follow S3's redirect to it.
  const deps: FetchDeps = { source: new S3Client({ followRegionRedirects: true }), staging: new S3Client({}), secrets: new SecretsManagerClient({}), fetch };
  return fetchWindow(event, JSON.parse(process.env[INGEST_SOURCE_ENV] ?? '{}') as FetchConfig, deps);
});

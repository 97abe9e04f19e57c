// The local code behind each Task state of the batch inference state machine, by state name:
// the real handler functions, configured from the environment the template gives each function,
// with the emulators' clients; the scoring job is a stand-in for SageMaker (see
// local/container/scoring.ts). Run the definition through `withListedItems` first.
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { computeDrift } from '../../lambda/drift-compute';
import { extract } from '../../lambda/batch-extract-predictions';
import { loadPart } from '../../lambda/batch-load-predictions';
import { recordServing } from '../../lambda/batch-record-serving';
import { resolveVersions } from '../../lambda/batch-resolve-version';
import { ENV } from '../../lambda/shared/env';
import { BATCH_DEFAULTS, BATCH_ENV } from '../../lambda/shared/predictions/constants';
import { ModelRegistryClient } from '../../lambda/shared/registry';
import { listAll } from '../../lambda/shared/training/s3';
import { BATCH_STATES as B } from '../../lib/batch-inference/batch-inference';
import { AslDefinition, LocalTaskHandler, listedState } from '../asl';

/** The environment of the Lambda function behind a Task state (resolved from the template). */
export type FunctionEnvironment = (state: string) => Record<string, string>;

export interface BatchHandlerDeps {
  readonly registry: ModelRegistryClient;
  readonly s3: S3Client;
  readonly doc: DynamoDBDocumentClient;
  readonly environment: FunctionEnvironment;
  /** The scoring job (a SageMaker CreateTrainingJob request). */
  readonly score: LocalTaskHandler;
  /** Where EMF lines go. @default - dropped */
  readonly emit?: (line: string) => void;
}

/** Every Task state of a batch inference definition (after `withListedItems`) mapped to local code. */
export function batchTaskHandlers(definition: AslDefinition, deps: BatchHandlerDeps): Record<string, LocalTaskHandler> {
  const { registry, s3, doc, environment } = deps;
  const emit = deps.emit ?? (() => undefined);
  const need = (state: string, name: string): string => {
    const v = environment(state)[name];
    if (v === undefined || v === '') throw new Error(`the function of state ${state} has no ${name} in its environment`);
    return v;
  };
  const num = (state: string, name: string, fallback: number) => Number(environment(state)[name] || fallback);
  const record: LocalTaskHandler = (e) => recordServing(e, { registry, ttlHours: num(B.recordLoad, BATCH_ENV.ttlHours, 72) });
  const handlers: Record<string, LocalTaskHandler> = {
    [B.resolve]: (e) => {
      const categories = environment(B.resolve)[BATCH_ENV.categories];
      return resolveVersions(e, {
        registry,
        datasetsBucket: need(B.resolve, ENV.datasetsBucket),
        artifactsBucket: need(B.resolve, ENV.artifactsBucket),
        predictionsBucket: need(B.resolve, ENV.predictionsBucket),
        defaultCategories: categories ? JSON.parse(categories) as string[] : [],
        defaultImage: environment(B.resolve)[BATCH_ENV.defaultImage] || undefined,
        imageRepository: environment(B.resolve)[BATCH_ENV.imageRepository] || undefined,
      });
    },
    [B.score]: deps.score,
    [B.extract]: (e) => extract(e, {
      s3, predictionsBucket: need(B.extract, ENV.predictionsBucket),
      linesPerPart: num(B.extract, BATCH_ENV.linesPerPart, BATCH_DEFAULTS.linesPerPart),
      maxInvalidShare: num(B.extract, BATCH_ENV.maxInvalidShare, BATCH_DEFAULTS.maxInvalidShare),
      ttlHours: num(B.extract, BATCH_ENV.ttlHours, 72),
    }),
    [listedState(B.load)]: async (req) => ({ Contents: await listAll(s3, req.Bucket, req.Prefix) }),
    [B.loadPart]: (e) => loadPart(e, { s3, doc, tableName: need(B.loadPart, ENV.predictionsTable), ttlHours: num(B.loadPart, BATCH_ENV.ttlHours, 72), emit }),
    [B.recordLoad]: record,
    [B.recordFailure]: record,
  };
  if (JSON.stringify(definition).includes(`"${B.drift}"`)) {
    handlers[B.drift] = (e) => computeDrift(e, { s3, registry, predictionsBucket: need(B.drift, ENV.predictionsBucket), emit });
  }
  return handlers;
}

import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RegistryContext } from './context';
import { documentClient } from '../dynamo';
import { CreateModelInput, createModel, getModel, listModels } from './models';
import { PromoteInput, getProduction, getPromotion, listHistory, promote, rollback } from './promotions';
import { AddRunNoteInput, FinishRunInput, ListRunsInput, RecordRunJobInput, StartRunInput, TagRunInput, LinkExperimentRunInput, addRunNote, linkExperimentRun, finishRun, getRun, listRuns, recordRunJob, startRun, tagRun } from './runs';
import { Direction, VersionStatus } from './types';
import { MarkLoadedInput, MarkShiftedInput, RecordEndpointInput, getEndpointRecord, getLoad, getServed, markLoaded, markShifted, recordEndpoint, recordScoringFailure } from './serving';
import { RegisterVersionInput, findBestVersion, getVersion, listStatusHistory, listVersions, registerVersion, setVersionStatus } from './versions';

export interface ModelRegistryClientOptions {
  readonly tableName: string;
  /** @default - a document client from the default AWS SDK configuration */
  readonly doc?: DynamoDBDocumentClient;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default 200 */
  readonly maxAttempts?: number;
  /**
   * S3 client with which `promote` copies the artifact of a version trained by an experiment
   * (under `experiments/`, which expires) under `runs/` first. It needs s3:ListBucket,
   * s3:GetObject on `experiments/<model>/` and s3:PutObject on `runs/<model>/` of the artifacts
   * bucket (and the bucket key).
   * @default - none: promoting such a version is refused with a message that says how
   */
  readonly s3?: S3Client;
}

/**
 * The registry's domain core: models, versions, runs and promotions over one DynamoDB table.
 * Used alike by Lambda handlers, the `mlops` CLI and local mode.
 */
export class ModelRegistryClient {
  private readonly ctx: RegistryContext;

  constructor(options: ModelRegistryClientOptions) {
    this.ctx = {
      tableName: options.tableName,
      doc: options.doc ?? documentClient(),
      now: options.now ?? (() => new Date()),
      maxAttempts: options.maxAttempts ?? 200,
      s3: options.s3,
    };
  }

  createModel(input: CreateModelInput) { return createModel(this.ctx, input); }
  getModel(model: string) { return getModel(this.ctx, model); }
  listModels(opts?: { limit?: number; nextToken?: string }) { return listModels(this.ctx, opts); }

  registerVersion(input: RegisterVersionInput) { return registerVersion(this.ctx, input); }
  getVersion(model: string, category: string, version: number) { return getVersion(this.ctx, model, category, version); }
  listVersions(model: string, category: string, opts?: { limit?: number; nextToken?: string }) { return listVersions(this.ctx, model, category, opts); }
  findBestVersion(input: { model: string; category: string; metric: string; direction: Direction }) { return findBestVersion(this.ctx, input); }
  setVersionStatus(input: { model: string; category: string; version: number; status: VersionStatus; actor: string; reason: string }) {
    return setVersionStatus(this.ctx, input);
  }
  /** Every status change of the line's versions, newest first: who, when, why. */
  listStatusHistory(model: string, category: string, opts?: { version?: number; limit?: number; nextToken?: string }) { return listStatusHistory(this.ctx, model, category, opts); }

  startRun(input: StartRunInput) { return startRun(this.ctx, input); }
  finishRun(input: FinishRunInput) { return finishRun(this.ctx, input); }
  tagRun(input: TagRunInput) { return tagRun(this.ctx, input); }
  addRunNote(input: AddRunNoteInput) { return addRunNote(this.ctx, input); }
  linkExperimentRun(input: LinkExperimentRunInput) { return linkExperimentRun(this.ctx, input); }
  getRun(runId: string) { return getRun(this.ctx, runId); }
  listRuns(input: ListRunsInput) { return listRuns(this.ctx, input); }
  /** Records the run's training job as it ended (failure reason, history, log link); never replaces a later attempt. */
  recordRunJob(input: RecordRunJobInput) { return recordRunJob(this.ctx, input); }

  getProduction(model: string, category: string) { return getProduction(this.ctx, model, category); }
  promote(input: PromoteInput) { return promote(this.ctx, input); }
  rollback(input: { model: string; category: string; actor: string; reason: string }) { return rollback(this.ctx, input); }
  getPromotion(model: string, category: string, sequence: number) { return getPromotion(this.ctx, model, category, sequence); }
  listHistory(model: string, category: string, opts?: { limit?: number; nextToken?: string }) { return listHistory(this.ctx, model, category, opts); }

  /** The version servers answer with (two-phase promotion); a pre-two-phase production pointer counts as served. */
  getServed(model: string, category: string) { return getServed(this.ctx, model, category); }
  getLoad(model: string, category: string, version: number) { return getLoad(this.ctx, model, category, version); }
  markLoaded(input: MarkLoadedInput) { return markLoaded(this.ctx, input); }
  recordScoringFailure(input: { model: string; category: string; version: number; reason: string }) { return recordScoringFailure(this.ctx, input); }
  /** What the model's real-time endpoint serves for (model, category). */
  getEndpointRecord(model: string, category: string) { return getEndpointRecord(this.ctx, model, category); }
  recordEndpoint(input: RecordEndpointInput) { return recordEndpoint(this.ctx, input); }
  /** An endpoint's shift to a promotion's version settled in service: an online model's served pointer follows. */
  markShifted(input: MarkShiftedInput) { return markShifted(this.ctx, input); }
}

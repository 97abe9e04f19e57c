// The front end's side of the asynchronous composition:
//   POST /v1/models/{model}/predictions:submit {features, entityId?, category?} -> 202 {jobId}
//   GET  /v1/models/{model}/jobs/{jobId}                                       -> the job, and its answer once done
// A job is written QUEUED to the jobs table before its message is sent, so a job the client
// learns about always exists; a failed send marks it FAILED and answers 500 (nothing queued).
import { randomUUID } from 'node:crypto';
import { AsyncModelConfig } from './async-config';
import { AsyncJobItem, AsyncJobStore } from './async-job-store';
import { AsyncResultStore } from './async-results';
import { PredictCore, PredictRequestError } from './core';
import { parseInvokeRequest } from './invoke';

/** The message a worker receives: everything it needs without reading the job first. */
export interface AsyncJobMessage {
  readonly jobId: string;
  readonly model: string;
  readonly category: string;
  readonly entityId?: string;
  readonly features: Readonly<Record<string, unknown>>;
}

/** Sends one job message (SQS in AWS). */
export interface AsyncJobQueue {
  send(message: AsyncJobMessage): Promise<void>;
}

/** The accepted-job answer of `:submit` (HTTP 202). */
export interface SubmitResponse {
  readonly jobId: string;
  readonly model: string;
  readonly category: string;
  readonly status: 'QUEUED';
  /** Where to poll: GET this path. */
  readonly location: string;
  readonly expiresAt: string;
}

/** The answer of `GET .../jobs/{jobId}`: the job item's public fields, expiry as an ISO time. */
export interface JobResponse extends Pick<AsyncJobItem, 'jobId' | 'model' | 'category' | 'entityId' | 'status' | 'attempts' | 'submittedAt' | 'startedAt' | 'finishedAt' | 'version'> {
  readonly expiresAt: string;
  /** SUCCEEDED: the model's answer, in the prediction contract's shape. */
  readonly answer?: { readonly prediction: unknown; readonly model: string; readonly version: number; readonly source: 'model'; readonly generatedAt: string };
  /** FAILED: why. */
  readonly error?: string;
}

/** One model's jobs: its limits, table, queue and results. */
export interface AsyncModel {
  readonly config: AsyncModelConfig;
  readonly store: AsyncJobStore;
  readonly queue: AsyncJobQueue;
  readonly results: AsyncResultStore;
}

export interface AsyncJobsOptions {
  /** The predict core of the same front end: served models and categories. */
  readonly core: PredictCore;
  /** Models that accept jobs, by name; each must be served by the core. */
  readonly models: Readonly<Record<string, AsyncModel>>;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default crypto.randomUUID */
  readonly newJobId?: () => string;
}

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class AsyncJobs {
  private readonly now: () => number;
  private readonly newJobId: () => string;

  constructor(private readonly options: AsyncJobsOptions) {
    this.now = options.now ?? Date.now;
    this.newJobId = options.newJobId ?? randomUUID;
    const served = new Set(options.core.models);
    for (const model of Object.keys(options.models)) {
      if (!served.has(model)) throw new Error(`model ${model} accepts jobs but is not served: add it to the serving configuration (${[...served].join(', ')})`);
    }
  }

  /** Accepts a job (202); 400 for bad input, 404 for a model that takes no jobs. */
  async submit(model: string, body: unknown, bodyBytes: number): Promise<SubmitResponse> {
    const m = this.model(model);
    if (bodyBytes > m.config.maxPayloadBytes) {
      throw new PredictRequestError(400, `the request body is ${bodyBytes} bytes, more than inference.async.maxPayloadBytes (${m.config.maxPayloadBytes}) of ${model}: send fewer features`);
    }
    const request = parseInvokeRequest(body);
    const { category } = this.options.core.target(model, request.category);
    if (request.entityId !== undefined) this.options.core.checkEntityId(request.entityId, 'entityId');
    const now = this.now();
    const jobId = this.newJobId();
    const expiresAt = Math.floor(now / 1000) + m.config.retentionSeconds;
    const submittedAt = new Date(now).toISOString();
    await m.store.create({ jobId, model, category, entityId: request.entityId, status: 'QUEUED', attempts: 0, submittedAt, expiresAt });
    try {
      await m.queue.send({ jobId, model, category, entityId: request.entityId, features: request.features });
    } catch (e) {
      await m.store.fail(jobId, `the job could not be queued: ${(e as Error)?.message ?? e}`, submittedAt);
      throw e;
    }
    return { jobId, model, category, status: 'QUEUED', location: `/v1/models/${encodeURIComponent(model)}/jobs/${jobId}`, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /** The job and, once it succeeded, its answer; 404 for an unknown or expired job. */
  async get(model: string, jobId: string): Promise<JobResponse> {
    const m = this.model(model);
    if (!JOB_ID.test(jobId)) throw new PredictRequestError(400, `jobId ${JSON.stringify(jobId)} is invalid: use the jobId that POST /v1/models/${model}/predictions:submit answered`);
    const item = await m.store.get(jobId, this.now());
    const gone = () => new PredictRequestError(404, `job ${jobId} of ${model} does not exist or has expired (jobs are kept ${m.config.retentionSeconds} s): submit it again`);
    if (!item || item.model !== model) throw gone();
    let answer: JobResponse['answer'];
    if (item.status === 'SUCCEEDED') {
      const result = await m.results.get(item.resultKey!);
      if (!result) throw gone();
      answer = { prediction: result.prediction, model, version: result.version, source: 'model', generatedAt: result.generatedAt };
    }
    return jobResponse(item, answer);
  }

  /** Names of the models that accept jobs. */
  get models(): string[] {
    return Object.keys(this.options.models);
  }

  private model(model: string): AsyncModel {
    const served = this.options.core.models;
    if (!served.includes(model)) throw new PredictRequestError(404, `model ${JSON.stringify(model)} is not served here: served models are ${served.join(', ')}`);
    const m = Object.prototype.hasOwnProperty.call(this.options.models, model) ? this.options.models[model] : undefined;
    if (!m) throw new PredictRequestError(404, `model ${model} takes no jobs (its spec has no inference.async)${this.models.length ? `; models with jobs are ${this.models.join(', ')}` : ''}`);
    return m;
  }
}

function jobResponse(item: AsyncJobItem, answer: JobResponse['answer']): JobResponse {
  return {
    jobId: item.jobId, model: item.model, category: item.category,
    ...(item.entityId !== undefined ? { entityId: item.entityId } : {}),
    status: item.status, attempts: item.attempts, submittedAt: item.submittedAt,
    ...(item.startedAt ? { startedAt: item.startedAt } : {}),
    ...(item.finishedAt ? { finishedAt: item.finishedAt } : {}),
    expiresAt: new Date(item.expiresAt * 1000).toISOString(),
    ...(item.version !== undefined ? { version: item.version } : {}),
    ...(answer ? { answer } : {}),
    ...(item.error ? { error: item.error } : {}),
  };
}

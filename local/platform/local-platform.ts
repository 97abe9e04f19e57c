// A platform on one machine: the synthesized templates' tables and buckets in the emulators, each
// model's ingestion, training and batch inference state machines run by the local ASL runner with
// the real handlers, ingestion, training and scoring jobs run as the model's own command under the
// container contract, and the environment the prediction server and the `mlops` CLI need to use it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PARAMETERS } from '../../lambda/shared/contract';
import { documentClient } from '../../lambda/shared/dynamo';
import { ENV } from '../../lambda/shared/env';
import { INGESTION_ENV } from '../../lambda/shared/ingestion/constants';
import { DataArrivedDetail } from '../../lambda/shared/ingestion/deliver';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { ModelRegistryClient } from '../../lambda/shared/registry';
import { TrainingDeps } from '../../lambda/shared/training/deps';
import { ModelSpec } from '../../lib/spec/model-spec';
import { AslDefinition, LocalStateMachine, LocalTaskHandler, extractDefinition, resolveIntrinsics, stateMachineIds, withListedItems } from '../asl';
import { localIngestionJob } from '../container/ingestion-job';
import { localImageCommand, modelCommand } from '../container/model-command';
import { localScoringTask } from '../container/scoring';
import { localTrainingTask } from '../container/stand-in';
import { batchTaskHandlers } from '../pipelines/batch-handlers';
import { ingestionTaskHandlers } from '../pipelines/ingestion-handlers';
import { trainingConfigFromTemplate, trainingTaskHandlers } from '../pipelines/training-handlers';
import { PlatformAssembly, StackTemplate } from './assembly';
import { taskFunctionEnvironment } from './functions';
import { LocalTable, createResources, parametersOf, resolveContextOf } from './resources';

/** Loopback endpoints of the emulators. */
export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
}

/** One Task state run locally, reported as it ends. */
export interface TaskEvent {
  readonly machine: 'ingestion' | 'training' | 'scoring';
  readonly state: string;
  readonly category?: string;
  readonly ms: number;
  readonly error?: string;
  /** What the task said it did, when it says (the ingestion job: the wrapper's upload line). */
  readonly detail?: string;
}

/** A TaskEvent as a progress line: `ingestion Run ingestion job done (812 ms): ...`. */
export function taskLine(e: TaskEvent): string {
  const outcome = e.error ? `FAILED: ${e.error.slice(0, 200)}` : `done (${e.ms} ms)${e.detail ? `: ${e.detail}` : ''}`;
  return `${e.machine.padEnd(9)} ${e.state}${e.category ? ` [${e.category}]` : ''} ${outcome}`;
}

export type ExecutionOutcome = Awaited<ReturnType<LocalStateMachine['start']>['outcome']>;

export interface LocalPlatformOptions {
  readonly assembly: PlatformAssembly;
  /** The model specs the assembly was synthesized from (their code runs as the jobs). */
  readonly specs: readonly ModelSpec[];
  readonly endpoints: LocalEndpoints;
  /** Called as each Task state ends. @default - nothing */
  readonly onTask?: (e: TaskEvent) => void;
  /** Notifications the pipelines send (SNS in AWS). @default - dropped */
  readonly onNotification?: (subject: string, message: string) => void;
}

/** s3rver's built-in key (DynamoDB Local accepts any): one pair for every local client. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const LOCAL_REGION = 'us-east-1';

export class LocalPlatform {
  readonly parameters: Record<string, string>;
  readonly s3: S3Client;
  readonly doc: DynamoDBDocumentClient;
  readonly registry: ModelRegistryClient;

  constructor(private readonly options: LocalPlatformOptions) {
    this.parameters = parametersOf(options.assembly.platformStack);
    this.s3 = new S3Client({ endpoint: options.endpoints.s3, forcePathStyle: true, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    this.doc = documentClient({ endpoint: options.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    this.registry = new ModelRegistryClient({ tableName: this.parameter(PARAMETERS.registryTable), doc: this.doc, s3: this.s3 });
  }

  /** A platform parameter's local value, e.g. `parameter(PARAMETERS.registryTable)`. */
  parameter(name: (platform: string) => string): string {
    const key = name(this.options.assembly.platform);
    const v = this.parameters[key];
    if (v === undefined) throw new Error(`the platform stack publishes no SSM parameter ${key}`);
    return v;
  }

  /** Creates the templates' tables and buckets in the emulators. */
  async createResources(): Promise<{ tables: LocalTable[]; buckets: string[] }> {
    const dynamodb = new DynamoDBClient({ endpoint: this.options.endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      return await createResources(this.options.assembly, { dynamodb, s3: this.s3 });
    } finally {
      dynamodb.destroy();
    }
  }

  /** The model's pipelines, ready to run. */
  model(name: string): LocalModel {
    const stack = this.options.assembly.models[name];
    const spec = this.options.specs.find((s) => s.name === name);
    if (!stack || !spec) throw new Error(`model "${name}" is not in the synthesized platform (models: ${Object.keys(this.options.assembly.models).join(', ') || 'none'})`);
    return new LocalModel(this, stack, spec, this.options);
  }

  /** Environment of the prediction server (build/server) against the emulators, as the model's service task sets it. */
  serverEnvironment(model: string, port: number): Record<string, string> {
    const stack = this.options.assembly.models[model];
    const ctx = resolveContextOf(stack, this.parameters);
    for (const r of Object.values(stack.template.Resources)) {
      if (r.Type !== 'AWS::ECS::TaskDefinition') continue;
      for (const c of (r.Properties?.ContainerDefinitions ?? []) as Array<{ Environment?: Array<{ Name: string; Value: unknown }> }>) {
        const env = Object.fromEntries((c.Environment ?? []).map((e) => [e.Name, String(resolveIntrinsics(e.Value, ctx))]));
        if (env[PREDICT_ENV.servingConfig] === undefined) continue;
        return {
          ...env, [PREDICT_ENV.port]: String(port), AWS_REGION: LOCAL_REGION, AWS_ENDPOINT_URL_DYNAMODB: this.options.endpoints.dynamodb,
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        };
      }
    }
    throw new Error(`model "${model}" has no prediction service in its stack (inference mode batch with a PredictionService)`);
  }

  /** Environment with which the `mlops` CLI uses this platform (what `--local` sets). */
  cliEnvironment(): Record<string, string> {
    return {
      [ENV.registryTable]: this.parameter(PARAMETERS.registryTable),
      MLOPS_DATASETS_BUCKET: this.parameter(PARAMETERS.datasetsBucket),
      MLOPS_ENDPOINT_DYNAMODB: this.options.endpoints.dynamodb,
      MLOPS_ENDPOINT_S3: this.options.endpoints.s3,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    };
  }
}

/** Logical id of the state machine an SSM parameter of the stack points at. */
function stateMachineId(stack: StackTemplate, parameterName: string): string {
  const p = Object.values(stack.template.Resources).find((r) => r.Type === 'AWS::SSM::Parameter' && r.Properties?.Name === parameterName);
  const id = (p?.Properties?.Value as { Ref?: string } | undefined)?.Ref;
  if (!id) throw new Error(`stack ${stack.stackName} has no SSM parameter ${parameterName} naming a state machine`);
  return id;
}

/**
 * Logical id of the model's ingestion state machine (the one invoking the delivery function,
 * configured with INGESTION_ENV.config), or undefined when the model has no data.ingestion.
 */
function ingestionStateMachineId(stack: StackTemplate): string | undefined {
  const resources = stack.template.Resources;
  const deliver = Object.keys(resources).find((id) => resources[id].Type === 'AWS::Lambda::Function' && resources[id].Properties?.Environment?.Variables?.[INGESTION_ENV.config] !== undefined);
  if (!deliver) return undefined;
  return stateMachineIds(stack.template).find((id) => JSON.stringify(resources[id].Properties?.DefinitionString ?? '').includes(`"${deliver}"`));
}

/** One ingestion execution and the `Data Arrived` events its delivery emitted. */
export interface IngestionOutcome {
  readonly execution: ExecutionOutcome;
  readonly arrived: DataArrivedDetail[];
}

/** A model's ingestion, training and batch inference state machines in the local runner. */
export class LocalModel {
  /** Undefined when the spec has no `data.ingestion`. */
  readonly ingestion?: LocalStateMachine;
  readonly training: LocalStateMachine;
  readonly scoring: LocalStateMachine;
  private readonly scoringRuns: Array<Promise<ExecutionOutcome>> = [];
  private readonly arrivals: DataArrivedDetail[] = [];

  constructor(platform: LocalPlatform, stack: StackTemplate, private readonly spec: ModelSpec, options: LocalPlatformOptions) {
    const ctx = resolveContextOf(stack, platform.parameters);
    const refs = ctx.refs;
    const platformName = options.assembly.platform;
    const timed = (machine: TaskEvent['machine'], handlers: Record<string, LocalTaskHandler>) => Object.fromEntries(Object.entries(handlers).map(([state, h]) => [state, async (input: unknown) => {
      const started = Date.now();
      const category = categoryOf(input);
      try {
        const out = await h(input);
        const detail = (out as { summary?: unknown } | undefined)?.summary;
        options.onTask?.({ machine, state, category, ms: Date.now() - started, ...(typeof detail === 'string' ? { detail } : {}) });
        return out;
      } catch (e) {
        options.onTask?.({ machine, state, category, ms: Date.now() - started, error: (e as Error).message });
        throw e;
      }
    }]));

    const batchId = stateMachineId(stack, PARAMETERS.batchInferenceStateMachine(platformName, spec.name));
    const batchDefinition = withListedItems(extractDefinition(stack.template, batchId, { refs }));
    const score = modelCommand(spec, 'score');
    this.scoring = new LocalStateMachine(batchDefinition, {
      handlers: timed('scoring', batchTaskHandlers(batchDefinition, {
        registry: platform.registry, s3: platform.s3, doc: platform.doc,
        environment: taskFunctionEnvironment(batchDefinition, ctx),
        score: localScoringTask({ command: score.command, cwd: score.cwd, s3: platform.s3 }),
      })),
    });

    const ingestionId = ingestionStateMachineId(stack);
    if (ingestionId) {
      const definition = extractDefinition(stack.template, ingestionId, { refs });
      const { endpoints } = options;
      this.ingestion = new LocalStateMachine(definition, {
        handlers: timed('ingestion', ingestionTaskHandlers(definition, {
          s3: platform.s3, environment: taskFunctionEnvironment(definition, ctx), now: () => new Date(),
          onDataArrived: (d) => this.arrivals.push(d),
          // No CloudWatch locally: the delivery's metric line would only interrupt the progress lines.
          emit: () => undefined,
          runJob: localIngestionJob({
            template: stack.template, ctx, s3Endpoint: endpoints.s3, localCommand: (command) => localImageCommand(spec, command),
            env: { AWS_REGION: LOCAL_REGION, AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey },
          }),
        })),
      });
    }

    const trainingId = stateMachineId(stack, PARAMETERS.trainingStateMachine(platformName, spec.name));
    const trainingDefinition: AslDefinition = extractDefinition(stack.template, trainingId, { refs });
    const env = taskFunctionEnvironment(trainingDefinition, ctx);
    const planEnv = env('Plan');
    const deps: TrainingDeps = {
      config: trainingConfigFromTemplate(stack.template, { refs }),
      registry: platform.registry, doc: platform.doc, tableName: planEnv[ENV.registryTable], s3: platform.s3,
      datasetsBucket: planEnv[ENV.datasetsBucket], artifactsBucket: planEnv[ENV.artifactsBucket],
      notifier: { publish: async (subject, message) => options.onNotification?.(subject, message) },
      now: () => new Date(),
      emit: () => undefined,
      log: () => undefined,
    };
    const train = modelCommand(spec, 'train');
    this.training = new LocalStateMachine(trainingDefinition, {
      handlers: timed('training', trainingTaskHandlers(trainingDefinition, deps, {
        train: localTrainingTask({ command: train.command, cwd: train.cwd, s3: platform.s3 }),
        startBatchInference: async (req: { Input: unknown; Name?: string }) => {
          const execution = this.scoring.start(typeof req.Input === 'string' ? JSON.parse(req.Input) : req.Input, { name: req.Name });
          this.scoringRuns.push(execution.outcome);
          return { ExecutionArn: execution.executionArn, StartDate: new Date().toISOString() };
        },
      })),
    });
  }

  /**
   * Runs an ingestion execution as EventBridge Scheduler starts it at `scheduledTime` (it ingests
   * the window that just ended), and returns the `Data Arrived` events of its delivery.
   */
  async ingest(scheduledTime: Date): Promise<IngestionOutcome> {
    if (!this.ingestion) throw new Error(`model "${this.spec.name}" has no data.ingestion in ${this.spec.file}: put its data under ${this.spec.data.location}<category>/<date>/ yourself, or add data.ingestion`);
    const before = this.arrivals.length;
    // A fresh name each run, as the scheduler gives: the job stages its output under it.
    const execution = await this.ingestion.start({ model: this.spec.name, scheduledTime: scheduledTime.toISOString() }).outcome;
    return { execution, arrived: this.arrivals.slice(before) };
  }

  /**
   * Ingests one day as the schedule would at the following midnight (UTC): the window that ends
   * then is filed under `date`, the execution date training on it uses.
   */
  async ingestDay(date: string): Promise<IngestionOutcome> {
    const day = new Date(`${date}T00:00:00.000Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(day.getTime())) throw new Error(`date must be a day as YYYY-MM-DD, but ${JSON.stringify(date)} was provided`);
    return this.ingest(new Date(day.getTime() + 86_400_000));
  }

  /** Runs a training execution, then waits for the scoring executions it started. */
  async train(input: Record<string, unknown>): Promise<{ training: ExecutionOutcome; scoring: ExecutionOutcome[] }> {
    const before = this.scoringRuns.length;
    const training = await this.training.start(input).outcome;
    const scoring = await Promise.all(this.scoringRuns.slice(before));
    return { training, scoring };
  }

  /** Runs a batch inference execution (the desired versions, or one version of one category). */
  score(input: Record<string, unknown>): Promise<ExecutionOutcome> {
    return this.scoring.start(input).outcome;
  }
}

function categoryOf(input: unknown): string | undefined {
  const i = input as { category?: unknown; item?: { category?: unknown }; Environment?: { MLOPS_CATEGORY?: unknown } } | undefined;
  const c = i?.category ?? i?.item?.category ?? i?.Environment?.MLOPS_CATEGORY;
  return typeof c === 'string' ? c : undefined;
}

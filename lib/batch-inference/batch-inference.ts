import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { REGISTRY_EVENTS } from '../../lambda/shared/contract';
import { ENV } from '../../lambda/shared/env';
import { BATCH_DEFAULTS, BATCH_ENV, PART_PREFIX } from '../../lambda/shared/predictions/constants';
import { ScoringNeed } from '../../lambda/shared/registry/types';
import { MlopsFunction, PipelineFunctionRole } from '../common/mlops-function';
import { BatchInferenceAttributes, BatchInferenceBase, IBatchInference, ImportedBatchInference } from './batch-inference-base';
import { acknowledgeBatchFindings } from './batch-inference-nag';
import { scoringJob } from './scoring-job';
import { BatchInferenceProps, validateBatchInferenceProps } from './validate-batch-inference-props';
import { AUDIT_LOG_RETENTION, MlopsLogGroup } from '../common/log-key';

export type { BatchInferenceProps } from './validate-batch-inference-props';

/** State names of the batch inference state machine (a public contract: local mode maps them). */
export const BATCH_STATES = {
  resolve: 'ResolveVersions',
  anything: 'AnythingToScore',
  nothing: 'NothingToScore',
  scoreCategories: 'ScoreCategories',
  score: 'Score',
  extract: 'ExtractPredictions',
  load: 'LoadPredictions',
  loadPart: 'LoadPart',
  recordLoad: 'RecordLoad',
  recordFailure: 'RecordScoringFailure',
  drift: 'ComputeDrift',
  summarize: 'CategoryDone',
  categoryFailed: 'CategoryFailed',
  outcomes: 'CollectOutcomes',
  checkOutcomes: 'AllCategoriesScored',
  failed: 'CategoriesFailed',
  done: 'Done',
} as const;

/** `scoring` of a Model Promoted event whose version has no fresh predictions yet. */
const SCORING_NEEDED: ScoringNeed = 'NEEDED';

/** `status` of each category's outcome in the ScoreCategories output. */
export const CATEGORY_STATUS = { succeeded: 'SUCCEEDED', failed: 'FAILED' } as const;

/** CreateTrainingJob errors worth retrying at minute scale (throttling, instance quotas, capacity). */
const SCORING_TRANSIENT_ERRORS = ['SageMaker.AmazonSageMakerException', 'SageMaker.ThrottlingException', 'SageMaker.ResourceLimitExceeded', 'SageMaker.ResourceLimitExceededException'];
const LOADER_TIMEOUT = Duration.minutes(10);
/** LoadPart errors that a new attempt of the (idempotent) part load cures. */
const LOAD_RETRY_ERRORS = ['LoadIncompleteError', 'States.Timeout', 'Sandbox.Timedout', 'Lambda.TooManyRequestsException'];

/**
 * Batch inference of one model: resolves the production version of each category from the
 * registry at run time (categories without one are skipped), runs the model's own image in
 * scoring mode (`MLOPS_MODE=score`) as a SageMaker job under the container contract (channels
 * `model` and `scoring`, JSON Lines written to /opt/ml/output/data), splits the output into
 * bounded part files under the predictions prefix of (model, category, date), and loads every
 * part with a Distributed Map of loader invocations into the predictions table with
 * `expiresAt = generatedAt + ttl`. Re-running a day overwrites the same keys.
 */
export class BatchInference extends BatchInferenceBase {
  /** Imports a batch inference defined elsewhere (another stack or account), by its state machine ARN. */
  static fromBatchInferenceAttributes(scope: Construct, id: string, attrs: BatchInferenceAttributes): IBatchInference {
    return new ImportedBatchInference(scope, id, attrs);
  }

  /** Name of the model it scores. */
  public readonly modelName: string;
  /** The batch inference state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** Role the scoring jobs run with. */
  public readonly scoringRole: iam.Role;
  /** The loader function (one invocation per part file). */
  public readonly loaderFunction: MlopsFunction;
  /** The one execution role of the resolve, extract, load and record functions. */
  public readonly functionRole: iam.IRole;

  constructor(scope: Construct, id: string, props: BatchInferenceProps) {
    super(scope, id);
    validateBatchInferenceProps(props);
    const { model, dataLake } = props;
    this.modelName = model;
    const ttl = props.predictionTtl ?? Duration.hours(72);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    // One role for the four steps: their union reads the registry and writes its serving records,
    // this model's prediction files and the predictions table, nothing the training pipeline owns.
    this.functionRole = new PipelineFunctionRole(this, 'FunctionRole', { description: `Steps of the batch inference of ${model}` });
    const role = this.functionRole;

    const resolveFn = new MlopsFunction(this, 'ResolveFunction', {
      handlerName: 'batch-resolve-version',
      description: `cdk-mlops batch inference of ${model}: resolve production versions`,
      logRetention: retention,
      role,
      environment: {
        [ENV.registryTable]: props.registry.tableName,
        [ENV.datasetsBucket]: dataLake.datasetsBucket.bucketName,
        [ENV.artifactsBucket]: dataLake.artifactsBucket.bucketName,
        [ENV.predictionsBucket]: dataLake.predictionsBucket.bucketName,
        [BATCH_ENV.categories]: JSON.stringify(props.categories ?? []),
        ...(props.scoringImage ? { [BATCH_ENV.defaultImage]: props.scoringImage } : {}),
        ...(props.scoringImageRepository ? { [BATCH_ENV.imageRepository]: props.scoringImageRepository.repositoryUri } : {}),
      },
    });
    props.registry.grantRead(resolveFn);

    const extractFn = new MlopsFunction(this, 'ExtractFunction', {
      handlerName: 'batch-extract-predictions',
      description: `cdk-mlops batch inference of ${model}: split scoring output into parts`,
      logRetention: retention,
      role,
      memorySize: 1024,
      timeout: Duration.minutes(15),
      environment: {
        [ENV.predictionsBucket]: dataLake.predictionsBucket.bucketName,
        [BATCH_ENV.linesPerPart]: String(props.linesPerPart ?? BATCH_DEFAULTS.linesPerPart),
        [BATCH_ENV.maxInvalidShare]: String(props.maxInvalidPredictionShare ?? BATCH_DEFAULTS.maxInvalidShare),
        [BATCH_ENV.ttlHours]: String(ttl.toHours({ integral: false })),
      },
    });
    dataLake.grantWritePredictions(extractFn, `${model}/`);

    this.loaderFunction = new MlopsFunction(this, 'LoadFunction', {
      handlerName: 'batch-load-predictions',
      description: `cdk-mlops batch inference of ${model}: load predictions with TTL`,
      logRetention: retention,
      role,
      memorySize: 512,
      timeout: LOADER_TIMEOUT,
      environment: {
        [ENV.predictionsTable]: props.predictionStore.tableName,
        [BATCH_ENV.ttlHours]: String(ttl.toHours({ integral: false })),
      },
    });
    dataLake.grantReadPredictions(this.loaderFunction, `${model}/`);
    props.predictionStore.grantWritePredictions(this.loaderFunction);

    const recordFn = new MlopsFunction(this, 'RecordServingFunction', {
      handlerName: 'batch-record-serving',
      description: `cdk-mlops batch inference of ${model}: record loads and serve promoted versions`,
      logRetention: retention,
      role,
      environment: {
        [ENV.registryTable]: props.registry.tableName,
        [BATCH_ENV.ttlHours]: String(ttl.toHours({ integral: false })),
      },
    });
    props.registry.grantPromote(recordFn);

    const scoring = scoringJob(this, BATCH_STATES.score, {
      model, dataLake,
      imageRepository: props.scoringImageRepository,
      instanceType: props.instanceType ?? new ec2.InstanceType('m5.xlarge'),
      volumeSize: props.volumeSize ?? Size.gibibytes(30),
      maxRuntime: props.maxScoringRuntime ?? Duration.hours(4),
    });
    this.scoringRole = scoring.role;

    // ---- definition (JSONPath) ----
    const resolve = new tasks.LambdaInvoke(this, BATCH_STATES.resolve, {
      lambdaFunction: resolveFn,
      payload: sfn.TaskInput.fromObject({
        input: sfn.JsonPath.objectAt('$'),
        executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      }),
      resultSelector: { 'targets.$': '$.Payload.targets', 'skipped.$': '$.Payload.skipped', 'rejected.$': '$.Payload.rejected', 'generatedAt.$': '$.Payload.generatedAt' },
      resultPath: '$.resolved',
      retryOnServiceExceptions: true,
    });

    // A category's failure is caught and reported in its outcome: the other categories go on.
    // The registry hears of it first, so a promotion waiting for this version says why.
    const recordFailure = new tasks.LambdaInvoke(this, BATCH_STATES.recordFailure, {
      lambdaFunction: recordFn,
      payload: sfn.TaskInput.fromObject({
        outcome: 'FAILED',
        model: sfn.JsonPath.stringAt('$.model'),
        category: sfn.JsonPath.stringAt('$.category'),
        version: sfn.JsonPath.numberAt('$.version'),
        error: sfn.JsonPath.stringAt('$.failure.Error'),
        cause: sfn.JsonPath.stringAt('$.failure.Cause'),
      }),
      resultPath: sfn.JsonPath.DISCARD,
      retryOnServiceExceptions: true,
    });
    const categoryFailed = new sfn.Pass(this, BATCH_STATES.categoryFailed, {
      parameters: {
        category: sfn.JsonPath.stringAt('$.category'),
        version: sfn.JsonPath.numberAt('$.version'),
        status: CATEGORY_STATUS.failed,
        error: sfn.JsonPath.stringAt('$.failure.Error'),
        cause: sfn.JsonPath.stringAt('$.failure.Cause'),
      },
    });
    recordFailure.addCatch(categoryFailed, { resultPath: '$.recordError' });
    recordFailure.next(categoryFailed);
    const onFailure = { resultPath: '$.failure' };

    const score = scoring.task;
    // Capacity, quota and throttling errors of CreateTrainingJob: minutes, not seconds.
    score.addRetry({ errors: SCORING_TRANSIENT_ERRORS, interval: Duration.minutes(1), backoffRate: 2, maxAttempts: 4, jitterStrategy: sfn.JitterType.FULL });
    // A job that failed (an instance lost, an internal error) runs once more, under a new name.
    score.addRetry({ errors: ['States.TaskFailed'], interval: Duration.minutes(2), backoffRate: 2, maxAttempts: 1 });
    score.addCatch(recordFailure, onFailure);

    const extract = new tasks.LambdaInvoke(this, BATCH_STATES.extract, {
      lambdaFunction: extractFn,
      payload: sfn.TaskInput.fromObject({
        outputKey: sfn.JsonPath.format('{}{}/output/output.tar.gz', sfn.JsonPath.stringAt('$.outputPrefix'), sfn.JsonPath.stringAt('$.scoring.jobName')),
        partsPrefix: sfn.JsonPath.stringAt('$.partsPrefix'),
        model: sfn.JsonPath.stringAt('$.model'),
        category: sfn.JsonPath.stringAt('$.category'),
        version: sfn.JsonPath.numberAt('$.version'),
        generatedAt: sfn.JsonPath.stringAt('$.generatedAt'),
      }),
      resultSelector: { 'parts.$': '$.Payload.parts', 'lines.$': '$.Payload.lines', 'invalid.$': '$.Payload.invalid' },
      resultPath: '$.extracted',
      retryOnServiceExceptions: true,
    });
    extract.addCatch(recordFailure, onFailure);

    const loadPart = new tasks.LambdaInvoke(this, BATCH_STATES.loadPart, {
      lambdaFunction: this.loaderFunction,
      resultSelector: { 'written.$': '$.Payload.written', 'failed.$': '$.Payload.failed' },
      retryOnServiceExceptions: true,
      // Above the function's own timeout, so a timed-out function reports Sandbox.Timedout first.
      taskTimeout: sfn.Timeout.duration(LOADER_TIMEOUT.plus(Duration.minutes(1))),
    });
    // Items still unprocessed after the loader's own backoff, or a timed-out invocation: the
    // whole part is retried (the load is idempotent).
    loadPart.addRetry({ errors: LOAD_RETRY_ERRORS, interval: Duration.seconds(30), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });

    const load = new sfn.DistributedMap(this, BATCH_STATES.load, {
      itemReader: new sfn.S3ObjectsItemReader({ bucket: dataLake.predictionsBucket, prefix: sfn.JsonPath.format(`{}${PART_PREFIX}`, sfn.JsonPath.stringAt('$.partsPrefix')) }),
      itemSelector: {
        bucket: dataLake.predictionsBucket.bucketName,
        key: sfn.JsonPath.stringAt('$$.Map.Item.Value.Key'),
        model: sfn.JsonPath.stringAt('$.model'),
        category: sfn.JsonPath.stringAt('$.category'),
        version: sfn.JsonPath.numberAt('$.version'),
        generatedAt: sfn.JsonPath.stringAt('$.generatedAt'),
      },
      maxConcurrency: props.loadConcurrency ?? 10,
      toleratedFailurePercentage: 0,
      // Standard children: a part's retries (up to ~16 minutes of backoff on top of 11-minute
      // attempts) would not fit in an Express child's 5 minutes. At one child per 10,000
      // predictions the transitions cost next to nothing.
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: sfn.JsonPath.DISCARD,
    });
    load.itemProcessor(loadPart);
    load.addCatch(recordFailure, onFailure);

    // Every part is loaded: the served pointer moves to this version if it is the desired one.
    const recordLoad = new tasks.LambdaInvoke(this, BATCH_STATES.recordLoad, {
      lambdaFunction: recordFn,
      payload: sfn.TaskInput.fromObject({
        outcome: 'LOADED',
        model: sfn.JsonPath.stringAt('$.model'),
        category: sfn.JsonPath.stringAt('$.category'),
        version: sfn.JsonPath.numberAt('$.version'),
        generatedAt: sfn.JsonPath.stringAt('$.generatedAt'),
      }),
      resultSelector: { 'flipped.$': '$.Payload.flipped' },
      resultPath: '$.serving',
      retryOnServiceExceptions: true,
    });
    recordLoad.addRetry({ errors: ['ConflictError'], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 3 });
    recordLoad.addCatch(recordFailure, onFailure);

    const categoryDone = new sfn.Pass(this, BATCH_STATES.summarize, {
      parameters: {
        category: sfn.JsonPath.stringAt('$.category'),
        version: sfn.JsonPath.numberAt('$.version'),
        status: CATEGORY_STATUS.succeeded,
        parts: sfn.JsonPath.numberAt('$.extracted.parts'),
        predictions: sfn.JsonPath.numberAt('$.extracted.lines'),
        invalid: sfn.JsonPath.numberAt('$.extracted.invalid'),
        servedNow: sfn.JsonPath.stringAt('$.serving.flipped'),
      },
    });

    const scoreCategories = new sfn.DistributedMap(this, BATCH_STATES.scoreCategories, {
      itemsPath: sfn.JsonPath.stringAt('$.resolved.targets'),
      maxConcurrency: props.scoringConcurrency ?? 4,
      toleratedFailurePercentage: 0,
      // Scoring jobs run for hours: the children are Standard executions.
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: '$.scored',
    });
    let afterLoad: sfn.IChainable = categoryDone;
    if (props.driftFunction) {
      const drift = new tasks.LambdaInvoke(this, BATCH_STATES.drift, {
        lambdaFunction: props.driftFunction,
        payload: sfn.TaskInput.fromObject({
          model: sfn.JsonPath.stringAt('$.model'),
          category: sfn.JsonPath.stringAt('$.category'),
          executionDate: sfn.JsonPath.stringAt('$.executionDate'),
          version: sfn.JsonPath.numberAt('$.version'),
          // This execution's parts only: other executions may have scored the same date.
          partsPrefix: sfn.JsonPath.stringAt('$.partsPrefix'),
        }),
        resultPath: sfn.JsonPath.DISCARD,
        retryOnServiceExceptions: true,
        taskTimeout: sfn.Timeout.duration(Duration.minutes(15)),
      });
      // Drift is monitoring: its failure must not fail a batch whose predictions are already served.
      drift.addCatch(categoryDone, { resultPath: '$.driftError' });
      afterLoad = drift.next(categoryDone);
    }
    scoreCategories.itemProcessor(score.next(extract).next(load).next(recordLoad).next(afterLoad));

    // Every category ran (or was skipped); the execution fails if any failed or was rejected,
    // so the failed-execution alarm fires, and its cause lists the outcomes.
    const outcomes = new sfn.Pass(this, BATCH_STATES.outcomes, {
      parameters: {
        'text.$': "States.Format('scored: {}; rejected: {}', States.JsonToString($.scored), States.JsonToString($.resolved.rejected))",
      },
      resultPath: '$.outcomes',
    });
    outcomes.next(new sfn.Choice(this, BATCH_STATES.checkOutcomes)
      .when(sfn.Condition.or(
        sfn.Condition.stringMatches('$.outcomes.text', `*"status":"${CATEGORY_STATUS.failed}"*`),
        sfn.Condition.stringMatches('$.outcomes.text', '*rejected: [{*'),
      ), new sfn.Fail(this, BATCH_STATES.failed, { error: 'BatchInferenceFailed', causePath: '$.outcomes.text' }))
      .otherwise(new sfn.Succeed(this, BATCH_STATES.done)));

    const definition = resolve.next(
      new sfn.Choice(this, BATCH_STATES.anything)
        .when(sfn.Condition.isPresent('$.resolved.targets[0]'), scoreCategories.next(outcomes))
        .otherwise(new sfn.Pass(this, BATCH_STATES.nothing, { comment: 'no category has a scorable production version', result: sfn.Result.fromArray([]), resultPath: '$.scored' }).next(outcomes)),
    );

    const logGroup = new MlopsLogGroup(this, 'Logs', { retention: props.auditLogRetention ?? AUDIT_LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: props.timeout ?? Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `cdk-mlops batch inference of ${model}`,
    });
    for (const statement of scoring.stateMachineStatements) this.stateMachine.addToRolePolicy(statement);

    if (props.schedule) {
      new events.Rule(this, 'Schedule', {
        schedule: props.schedule,
        description: `cdk-mlops batch inference of ${model}`,
        targets: [new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({ model, executionDate: events.EventField.time }),
        })],
      });
    }

    if (props.scoreOnPromotion ?? true) {
      // Only promotions that need scoring (NEEDED): a rollback within TTL is served at once, and
      // an auto-promotion by the training pipeline (BY_PIPELINE) is scored by that execution's
      // own batch inference after the Map, so scoring it here would score it twice.
      new events.Rule(this, 'ScoreOnPromotion', {
        eventBus: props.registryEventBus,
        description: `cdk-mlops: score a version of ${model} promoted without fresh predictions`,
        eventPattern: {
          source: [REGISTRY_EVENTS.source],
          detailType: [REGISTRY_EVENTS.modelPromoted],
          detail: { model: [model], scoring: [SCORING_NEEDED] },
        },
        targets: [new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({
            model,
            executionDate: events.EventField.time,
            categories: [events.EventField.fromPath('$.detail.category')],
            version: events.EventField.fromPath('$.detail.toVersion'),
          }),
          // A promotion whose scoring never starts would keep the served version from moving.
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        })],
      });
    }

    acknowledgeBatchFindings(this, {
      model,
      datasetsBucket: dataLake.datasetsBucket,
      artifactsBucket: dataLake.artifactsBucket,
      predictionsBucket: dataLake.predictionsBucket,
      registryTable: props.registry.table,
      stateMachine: this.stateMachine,
      functions: [resolveFn, extractFn, this.loaderFunction, recordFn, ...(props.driftFunction ? [props.driftFunction] : [])],
      scoringRole: this.scoringRole,
    });
  }
}

import { Annotations, Duration, Stack, TimeZone, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/shared/env';
import { ENDED_EARLY_STATUSES, TRAINING_ENV, TRAINING_STATES as S } from '../../lambda/shared/training/constants';
import { PipelineConfig } from '../../lambda/shared/training/types';
import { IBatchInference } from '../batch-inference/batch-inference-base';
import { ITrainingPipeline, ImportedTrainingPipeline, TrainingPipelineAttributes, TrainingPipelineBase } from './training-pipeline-base';
import { MlopsFunction, PipelineFunctionRole } from '../common/mlops-function';
import { IDataLake } from '../data-lake/data-lake-base';
import { IModelRegistry } from '../model-registry/model-registry-base';
import { worstCaseExecution } from './execution-timeout';
import { grantTagRunOutputs } from './run-output-grants';
import { TrainingBackend, TrainingBackendConfig } from './training-backend';
import { DataFormat, DataValidationOptions, EvaluationPolicy, PromotionMode } from './training-policies';
import { acknowledgeTrainingFindings } from './training-pipeline-nag';
import { explainTrainingJobs } from './training-job-explanations';
import { validateTrainingPipelineProps } from './validate-training-pipeline-props';
import { AUDIT_LOG_RETENTION, MlopsLogGroup } from '../common/log-key';
import { IPreTrainingStep } from './pre-training-step';

/** Characters of the model's description the registry record keeps. */
const MAX_DESCRIPTION = 200;

/** Props of {@link TrainingPipeline}. */

export interface TrainingPipelineProps {
  /** Model name in the registry (lowercase letters, digits, hyphens), e.g. 'demand-forecast'. */
  readonly modelName: string;
  /** Categories: one model, one run, one version line per category. */
  readonly categories: string[];
  /** Where datasets are read and run outputs written. */
  readonly dataLake: IDataLake;
  /** Where runs and versions are recorded and production pointers kept. */
  readonly registry: IModelRegistry;
  /** Where training runs: `TrainingBackend.sageMaker(...)` or `TrainingBackend.batch(...)`. */
  readonly backend: TrainingBackend;
  /** How a new version is compared with production. */
  readonly evaluation: EvaluationPolicy;
  /**
   * Default hyperparameters (an execution's `hyperparameters` input overrides them).
   * @default - none
   */
  readonly hyperparameters?: Record<string, string>;
  /**
   * Input data checks, run per category before its training (a category that fails them is
   * recorded FAILED and not trained; the others go on).
   * @default - CSV, at least 1 row, newest object at most 36 h old, no column checks
   */
  readonly dataValidation?: DataValidationOptions;
  /**
   * What happens to a version that beats production.
   * @default PromotionMode.AUTO
   */
  readonly promotion?: PromotionMode;
  /**
   * How long a manual approval is waited for; afterwards the version stays registered. One
   * day, so the next daily run is not held up by a forgotten approval.
   * @default Duration.days(1)
   */
  readonly approvalTimeout?: Duration;
  /**
   * When to train (EventBridge Scheduler). The scheduled time, read in the expression's time
   * zone, is the execution date. E.g. `ScheduleExpression.cron({ hour: '5', minute: '0', timeZone: TimeZone.EUROPE_PARIS })`.
   * @default - no schedule (start executions by hand or by the data-arrival trigger)
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * Start an execution for a category when a `_SUCCESS` marker lands under
   * `<model>/<category>/<YYYY-MM-DD>/` in the datasets bucket. Needs EventBridge notifications
   * on the datasets bucket: create the `DataLake` with `datasetsEventBridge: true` (checked at
   * synth: a `DataLake` without it throws). For an imported data lake or an existing datasets
   * bucket this cannot be checked: enable EventBridge notifications on that bucket yourself.
   * @default false
   */
  readonly dataArrivalTrigger?: boolean;
  /**
   * Categories trained at once.
   * @default DEFAULT_MAX_CONCURRENCY (4)
   */
  readonly maxConcurrency?: number;
  /**
   * Share of categories that may fail while the execution still succeeds (a partial failure
   * is notified either way).
   * @default 0
   */
  readonly toleratedFailurePercentage?: number;
  /**
   * Attempts of a training job that failed for a transient reason (capacity, Spot reclaim).
   * @default 3
   */
  readonly trainingAttempts?: number;
  /**
   * Topic for failures, partial failures and approval requests.
   * @default - a new topic encrypted with the data lake key
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * The model owner's topic: failures, partial failures and approval requests are published
   * there as well as to `notificationTopic`.
   * @default - none
   */
  readonly ownerNotificationTopic?: sns.ITopic;
  /**
   * Retention of the function and job logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Retention of the state machine's execution logs: audit logs, holding every state's input and
   * output (encrypted with the stack's log key).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly auditLogRetention?: logs.RetentionDays;
  /**
   * Batch inference started (asynchronously) for the categories promoted by an execution.
   * @default - none
   */
  readonly batchInference?: IBatchInference;
  /**
   * Whether a promoted version is served only once batch inference has loaded its predictions
   * (two-phase promotion). Set false for a model without batch inference (online inference
   * only): nothing would ever load its predictions, so the registry serves a promoted version at
   * once. Each execution records it on the model in the registry, so `mlops promote` and
   * rollbacks follow it too.
   * @default true
   */
  readonly batchScoring?: boolean;
  /**
   * With `batchScoring: false`: a promoted version is served once the model's real-time endpoint
   * (ModelEndpoint, FargateModelService) has shifted traffic to it, rather than at once; the
   * endpoint's update function moves the served pointer (registry scoring ENDPOINT).
   * @default false - served at once
   */
  readonly servedByEndpoint?: boolean;
  /**
   * Revision of the training code (e.g. a git commit, `process.env.GITHUB_SHA` at build time),
   * recorded on every version next to the image and the dataset version.
   * @default - not recorded
   */
  readonly codeRevision?: string;
  /**
   * The model's description in the registry (`mlops models`), set by each run when it changed;
   * its first 200 characters.
   * @default - "trained by <model>-training"
   */
  readonly description?: string;
  /**
   * The model's owner in the registry (`mlops models`), set by each run when it changed.
   * @default - none recorded
   */
  readonly owner?: string;
  /**
   * Longest an execution may run. A shorter one than the worst case below is reported as a
   * synth warning: a timed-out execution stops training and scoring.
   * @default - the worst case: per wave of `maxConcurrency` categories, every training attempt
   * running to the Train timeout plus the capacity wait and backoffs, then (manual promotion)
   * the approval timeout once, plus 1 h; at most one year
   */
  readonly executionTimeout?: Duration;
  /**
   * Runs first in each category's branch and writes the `training` channel under the run's
   * prefix, e.g. the feature store query (FeatureQuery). ValidateData checks that channel (its
   * columns, `dataValidation.minRows` and `maxAge`), and training reads it.
   * @default - none: training reads the data validated under the dataset prefix
   */
  readonly preTraining?: IPreTrainingStep;
}

/** Categories a training pipeline trains at once unless `maxConcurrency` says otherwise. */
export const DEFAULT_MAX_CONCURRENCY = 4;

const LAMBDA_TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException', 'Lambda.ClientExecutionTimeoutException'];

/**
 * Daily training of one model, one run per category: plan -> Map over categories (validate
 * data -> record run -> train -> evaluate + register -> champion/challenger gate -> promote,
 * ask for approval, or keep registered) -> summarize and notify -> batch inference of every
 * category -> (manual promotion) wait for the approvals. A category whose data is late or bad
 * fails alone.
 * A Standard state machine in JSONPath, logging ALL with retention, traced, with a timeout on
 * every task and wait.
 */
export class TrainingPipeline extends TrainingPipelineBase {
  /** Imports a training pipeline defined elsewhere (another stack or account), by its state machine ARN. */
  static fromTrainingPipelineAttributes(scope: Construct, id: string, attrs: TrainingPipelineAttributes): ITrainingPipeline {
    return new ImportedTrainingPipeline(scope, id, attrs);
  }

  /** Name of the model it trains. */
  readonly modelName: string;
  /** The training state machine. */
  readonly stateMachine: sfn.StateMachine;
  /** Where failures and approval requests are published. */
  readonly notificationTopic: sns.ITopic;
  /** The role training containers run with. */
  readonly trainingRole: iam.IRole;
  /** Log group of the state machine. */
  readonly logGroup: logs.ILogGroup;
  /** The schedule, when one was given. */
  readonly schedule?: scheduler.Schedule;
  /** The handler functions, by state role (plan, validateData, recordRun, evaluate, gate, summarize). */
  readonly functions: Record<string, lambda.IFunction>;
  /** The one execution role of the handler functions (the union of their grants, this model only). */
  readonly functionRole: iam.IRole;

  constructor(scope: Construct, id: string, props: TrainingPipelineProps) {
    super(scope, id);
    validateTrainingPipelineProps(props);
    const { modelName, dataLake, registry } = props;
    this.modelName = modelName;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const approvalTimeout = props.approvalTimeout ?? Duration.days(1);
    const promotion = props.promotion ?? PromotionMode.AUTO;

    this.notificationTopic = props.notificationTopic ?? new sns.Topic(this, 'Notifications', {
      displayName: `cdk-mlops training of ${modelName}`,
      masterKey: dataLake.encryptionKey,
      enforceSSL: true,
    });

    const backendScope = new Construct(this, 'Backend');
    const backend = props.backend.bind(backendScope, { modelName, dataLake, logRetention });
    this.trainingRole = backend.trainingRole;

    const v = props.dataValidation ?? {};
    // A pre-training step's channel brings its own format and columns; rows and age limits stay the spec's.
    const channel = props.preTraining?.trainingChannel;
    const config: PipelineConfig = {
      model: modelName,
      categories: props.categories,
      hyperparameters: props.hyperparameters ?? {},
      validation: {
        format: channel?.format ?? v.format ?? DataFormat.CSV,
        columns: (channel?.columns ?? v.columns ?? []).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable ?? false })),
        minRows: v.minRows ?? 1,
        maxAgeSeconds: (v.maxAge ?? Duration.hours(36)).toSeconds(),
        sampleRows: v.sampleRows ?? 1000,
        ...(channel?.eventTimeColumn !== undefined ? { eventTimeColumn: channel.eventTimeColumn } : {}),
      },
      ...(channel ? { channelInRun: channel.runSubPrefix } : {}),
      evaluation: {
        metric: props.evaluation.metric,
        direction: props.evaluation.direction,
        minImprovement: props.evaluation.minImprovement ?? 0,
        threshold: props.evaluation.threshold,
      },
      promotion,
      approvalTimeoutSeconds: approvalTimeout.toSeconds(),
      timeZone: props.schedule?.timeZone?.timezoneName ?? TimeZone.ETC_UTC.timezoneName,
      toleratedFailurePercentage: props.toleratedFailurePercentage ?? 0,
      trainingAttempts: props.trainingAttempts ?? 3,
      capacityWaitSeconds: backend.capacityWait.toSeconds(),
      image: backend.imageUri,
      codeRevision: props.codeRevision,
      pipelineName: `${modelName}-training`,
      // Capped: this config is every pipeline function's environment, which Lambda limits to 4 KB.
      modelDescription: props.description && (props.description.length > MAX_DESCRIPTION ? `${props.description.slice(0, MAX_DESCRIPTION - 1)}…` : props.description),
      modelOwner: props.owner,
      scoring: props.batchScoring !== false ? 'BATCH' : props.servedByEndpoint ? 'ENDPOINT' : 'NONE',
      // Batch inference follows the Map and scores every category's desired version.
      scoredByPipeline: props.batchInference !== undefined,
    };
    const environment = {
      [ENV.registryTable]: registry.tableName,
      [ENV.datasetsBucket]: dataLake.datasetsBucket.bucketName,
      [ENV.artifactsBucket]: dataLake.artifactsBucket.bucketName,
      [ENV.notificationTopic]: this.notificationTopic.topicArn,
      [TRAINING_ENV.config]: Stack.of(this).toJsonString(config),
      ...(props.ownerNotificationTopic ? { [TRAINING_ENV.ownerTopic]: props.ownerNotificationTopic.topicArn } : {}),
    };
    // One role for every step of this model's training: the union below writes only this
    // model's manifests, run tags, registry items and notifications (README "Cutting the per-model repetition").
    this.functionRole = new PipelineFunctionRole(this, 'FunctionRole', { description: `Steps of the training pipeline of ${modelName}` });
    const fn = (fid: string, handlerName: string, description: string, timeout = Duration.seconds(60), memorySize = 512, asynchronous = false) =>
      new MlopsFunction(this, fid, { handlerName, description, environment, timeout, memorySize, logRetention, role: this.functionRole, asynchronous });

    const planFn = fn('PlanFunction', 'training-plan', `Plans a training execution of ${modelName}`);
    const validateFn = fn('ValidateDataFunction', 'training-validate-data', `Validates the input data of ${modelName}`, Duration.minutes(10), 1024);
    const recordFn = fn('RecordRunFunction', 'training-record-run', `Records training runs of ${modelName}`);
    const evaluateFn = fn('EvaluateFunction', 'training-evaluate', `Evaluates and registers new versions of ${modelName}`);
    const gateFn = fn('GateFunction', 'training-gate', `Champion/challenger gate and promotion of ${modelName}`);
    const summarizeFn = fn('SummarizeFunction', 'training-summarize', `Summarizes and notifies training of ${modelName}`);
    const endedFn = fn('ExecutionEndedFunction', 'training-execution-ended', `Closes the runs of ${modelName} executions that ended early; records how its training jobs ended`, undefined, undefined, true);
    this.functions = { plan: planFn, validateData: validateFn, recordRun: recordFn, evaluate: evaluateFn, gate: gateFn, summarize: summarizeFn, executionEnded: endedFn };

    registry.grantRegister(planFn);
    // The plan pins an image tag to its digest (lineage).
    backend.image.grantDescribe(planFn);
    dataLake.grantReadDatasets(validateFn, `${modelName}/`);
    if (channel) for (const p of [`runs/${modelName}/`, `experiments/${modelName}/`]) dataLake.grantReadArtifacts(validateFn, p);
    dataLake.grantWriteArtifacts(validateFn, `manifests/${modelName}/`);
    registry.grantRegister(recordFn);
    // StartRun reads the dataset version from the manifest ValidateData wrote.
    dataLake.grantReadArtifacts(recordFn, `manifests/${modelName}/`);
    // The failure path tags a failed run's outputs for the data lake's expiry rule.
    grantTagRunOutputs(recordFn, dataLake, modelName);
    registry.grantRegister(endedFn);
    grantTagRunOutputs(endedFn, dataLake, modelName);
    registry.grantRegister(evaluateFn);
    dataLake.grantReadArtifacts(evaluateFn, `runs/${modelName}/`);
    dataLake.grantReadArtifacts(evaluateFn, `experiments/${modelName}/`);
    registry.grantPromote(gateFn);
    this.notificationTopic.grantPublish(gateFn);
    this.notificationTopic.grantPublish(summarizeFn);
    props.ownerNotificationTopic?.grantPublish(gateFn);
    props.ownerNotificationTopic?.grantPublish(summarizeFn);

    const definition = this.buildDefinition({ backend, planFn, validateFn, recordFn, evaluateFn, gateFn, summarizeFn, promotion, approvalTimeout, props });

    this.logGroup = new MlopsLogGroup(this, 'Logs', { retention: props.auditLogRetention ?? AUDIT_LOG_RETENTION });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      comment: `Training of ${modelName}: ${props.categories.length} categories on ${backend.engine}`,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      timeout: this.executionTimeout(props, backend, promotion === PromotionMode.MANUAL ? approvalTimeout : undefined),
    });
    // A timed-out, stopped or failed execution may leave runs RUNNING (no branch got to record
    // them): close them when Step Functions reports the end.
    new events.Rule(this, 'ExecutionEndedRule', {
      description: `Closes the RUNNING runs of ${modelName} training executions that ended early`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: [...ENDED_EARLY_STATUSES], stateMachineArn: [this.stateMachine.stateMachineArn] },
      },
      targets: [new eventTargets.LambdaFunction(endedFn, { retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
    // Each ended training job is recorded on its run as soon as it ends (why it failed, its log).
    explainTrainingJobs(this, { handler: endedFn, engine: backend.engine, modelName, dataLake });
    for (const statement of backend.policyStatements) this.stateMachine.addToRolePolicy(statement);

    acknowledgeTrainingFindings({
      scope: this, modelName, dataLake, registry, functions: Object.values(this.functions), functionRole: this.functionRole, stateMachine: this.stateMachine, backendScope, engine: backend.engine,
    });

    if (props.schedule) {
      this.schedule = new scheduler.Schedule(this, 'Schedule', {
        schedule: props.schedule,
        description: `Daily training of ${modelName}`,
        target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
          input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime, trigger: 'schedule' }),
          retryAttempts: 3,
        }),
      });
    }
    if (props.dataArrivalTrigger) {
      new events.Rule(this, 'DataArrivalRule', {
        description: `Starts training of ${modelName} when a _SUCCESS marker lands in the datasets bucket`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { bucket: { name: [dataLake.datasetsBucket.bucketName] }, object: { key: events.Match.wildcard(`${modelName}/*/_SUCCESS`) } },
        },
        targets: [new eventTargets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({ trigger: 'data-arrival', objectKey: events.EventField.fromPath('$.detail.object.key') }),
          retryAttempts: 3,
        })],
      });
    }
  }

  private executionTimeout(props: TrainingPipelineProps, backend: TrainingBackendConfig, approvalTimeout: Duration | undefined): Duration {
    const worst = worstCaseExecution({
      categories: props.categories.length,
      maxConcurrency: props.maxConcurrency ?? 4,
      trainingAttempts: props.trainingAttempts ?? 3,
      taskTimeout: backend.taskTimeout,
      capacityWait: backend.capacityWait,
      approvalTimeout,
    });
    const given = props.executionTimeout;
    if (given && given.toSeconds() < worst.toSeconds()) {
      Annotations.of(this).addWarningV2('cdk-mlops:executionTimeoutBelowWorstCase',
        `executionTimeout ${given.toHumanString()} is below the worst case of ${worst.toHumanString()} (waves of maxConcurrency categories, each running every training attempt to the Train timeout): a long day would time out and stop training and scoring; raise executionTimeout or maxConcurrency, or leave executionTimeout out`);
    }
    return given ?? worst;
  }

  private buildDefinition(p: {
    backend: TrainingBackendConfig; planFn: lambda.IFunction; validateFn: lambda.IFunction; recordFn: lambda.IFunction;
    evaluateFn: lambda.IFunction; gateFn: lambda.IFunction; summarizeFn: lambda.IFunction;
    promotion: PromotionMode; approvalTimeout: Duration; props: TrainingPipelineProps;
  }): sfn.IChainable {
    const states = new Construct(this, 'States');
    const invoke = (id: string, f: lambda.IFunction, payload: Record<string, unknown>, opts: { resultPath?: string; timeout?: Duration } = {}) => {
      const task = new tasks.LambdaInvoke(states, id, {
        lambdaFunction: f,
        payload: sfn.TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath: opts.resultPath,
        taskTimeout: sfn.Timeout.duration(opts.timeout ?? Duration.minutes(2)),
      });
      task.addRetry({ errors: LAMBDA_TRANSIENT, interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
      return task;
    };
    const item = { 'item.$': '$' };

    // Before the Map: nothing has been paid for yet; a planning failure notifies and stops.
    const notifyAborted = invoke(S.notifyAborted, p.summarizeFn, { 'action': 'abort', 'executionId.$': '$$.Execution.Id', 'state.$': '$' });
    notifyAborted.next(new sfn.Fail(states, S.aborted, { errorPath: '$.Error', causePath: '$.Cause' }));
    const plan = invoke(S.plan, p.planFn, { 'input.$': '$', 'executionId.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' });
    plan.addCatch(notifyAborted, { errors: ['States.ALL'], resultPath: '$.error' });

    // One branch per category; every failure is caught, recorded on the run and turned into a
    // FAILED outcome, so the other categories go on. (Inline Map has no tolerated failure
    // percentage - that is a Distributed Map field - so the Summarize step applies it.)
    const failureNotRecorded = new sfn.Pass(states, S.failureNotRecorded, {
      parameters: { 'category.$': '$.category', 'runId.$': '$.runId', 'outcome': 'FAILED', 'reason': 'the failure could not be recorded in the registry; see the execution history' },
    });
    const recordFailure = invoke(S.recordFailure, p.recordFn, { 'action': 'fail', ...item });
    recordFailure.addCatch(failureNotRecorded, { errors: ['States.ALL'], resultPath: '$.recordError' });
    const onFailure = { errors: ['States.ALL'], resultPath: '$.failure' };

    // Data validation runs per category, first in its branch: a late or bad category is recorded
    // FAILED with every problem found, and the other categories train.
    const validate = invoke(S.validateData, p.validateFn, item, { resultPath: sfn.JsonPath.DISCARD, timeout: Duration.minutes(11) });
    const rejectData = invoke(S.recordRejectedData, p.recordFn, { 'action': 'reject-data', ...item });
    rejectData.addCatch(failureNotRecorded, { errors: ['States.ALL'], resultPath: '$.recordError' });
    validate.addCatch(rejectData, onFailure);

    // The branch gets only the planned run; StartRun returns the full run item it goes on with.
    const startRun = invoke(S.startRun, p.recordFn, { 'action': 'start', ...item });
    startRun.addCatch(recordFailure, onFailure);
    const nameJob = new sfn.Pass(states, S.nameJob, {
      comment: 'Training job names are unique forever: one per attempt',
      parameters: { 'name.$': "States.Format('{}-{}', $.runId, $.attempt)" },
      resultPath: '$.job',
    });
    const train = p.backend.task;
    if (p.backend.transientErrors.length > 0) {
      train.addRetry({ errors: p.backend.transientErrors, interval: Duration.seconds(30), maxAttempts: 4, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    }
    const classify = invoke(S.classifyFailure, p.recordFn, { 'action': 'classify', ...item });
    classify.addCatch(recordFailure, onFailure);
    train.addCatch(classify, onFailure);
    const waitBeforeRetry = new sfn.Wait(states, S.waitBeforeRetry, { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
    const retryChoice = new sfn.Choice(states, S.retryChoice)
      .when(sfn.Condition.booleanEquals('$.retryTraining', true), waitBeforeRetry.next(nameJob))
      .otherwise(recordFailure);
    classify.next(retryChoice);

    const evaluate = invoke(S.evaluate, p.evaluateFn, item, { resultPath: '$.evaluation' });
    evaluate.addCatch(recordFailure, onFailure);
    const gate = invoke(S.gate, p.gateFn, { action: 'decide', ...item }, { resultPath: '$.gate' });
    gate.addCatch(recordFailure, onFailure);
    const keep = new sfn.Pass(states, S.keep, {
      parameters: { 'category.$': '$.category', 'runId.$': '$.runId', 'outcome': 'REGISTERED', 'version.$': '$.evaluation.version', 'reason.$': '$.gate.reason' },
    });
    const decision = new sfn.Choice(states, S.decision);
    if (p.promotion === PromotionMode.AUTO) {
      const promote = invoke(S.promote, p.gateFn, { action: 'promote', ...item });
      promote.addCatch(recordFailure, onFailure);
      decision.when(sfn.Condition.stringEquals('$.gate.decision', 'PROMOTE'), promote);
    }
    if (p.promotion === PromotionMode.MANUAL) {
      // The approval wait is not in the branch: the branch ends PENDING_APPROVAL with what the
      // approval needs, so summary and scoring (of the champion still in production) go on.
      decision.when(sfn.Condition.stringEquals('$.gate.decision', 'APPROVAL'), new sfn.Pass(states, S.awaitApproval, {
        parameters: {
          'category.$': '$.category', 'runId.$': '$.runId', 'outcome': 'PENDING_APPROVAL', 'version.$': '$.evaluation.version', 'reason.$': '$.gate.reason',
          // Only what the approval steps read, so the outcomes stay small at 200 categories.
          'gated': {
            'model.$': '$.model', 'category.$': '$.category', 'runId.$': '$.runId', 'executionId.$': '$.executionId',
            'evaluation': { 'version.$': '$.evaluation.version', 'metricValue.$': '$.evaluation.metricValue' }, 'gate.$': '$.gate',
          },
        },
      }));
    }
    decision.otherwise(keep);

    // A pre-training step writes the channel first; ValidateData then checks what it wrote, and a
    // failure of either is recorded like rejected data (the run has not started).
    const pre = p.props.preTraining?.bind(states);
    pre?.catchable.forEach((c) => c.addCatch(rejectData, onFailure));
    const branch = (pre ? sfn.Chain.start(pre.chain).next(validate) : validate).next(startRun).next(nameJob).next(train).next(evaluate).next(gate).next(decision);
    // Each branch gets the run's identity plus the execution's shared fields (not a whole item),
    // so the execution state stays under 256 KiB at the largest category count.
    const map = new sfn.Map(states, S.map, {
      itemsPath: '$.runs',
      itemSelector: {
        'category.$': '$$.Map.Item.Value.category',
        'runId.$': '$$.Map.Item.Value.runId',
        ...Object.fromEntries(['model', 'executionDate', 'experiment', 'trigger', 'executionId', 'referenceTime', 'hyperparameters', 'image'].map((k) => [`${k}.$`, `$.${k}`])),
      },
      maxConcurrency: p.props.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      resultPath: '$.results',
    });
    map.itemProcessor(branch);

    const summarize = invoke(S.summarize, p.summarizeFn, { 'action': 'summarize', 'execution.$': '$' }, { resultPath: '$.summary' });
    // Training and promotion are done; the failed-execution alarm must say when scoring is not.
    const checkOutcome = new sfn.Choice(states, S.checkOutcome)
      .when(sfn.Condition.isPresent('$.batchError'), new sfn.Fail(states, 'BatchInferenceNotStarted', { error: 'BatchInferenceNotStarted', causePath: '$.batchError.Cause' }))
      .when(sfn.Condition.stringEquals('$.summary.status', 'FAILED'), new sfn.Fail(states, S.failed, { error: 'TrainingFailed', causePath: '$.summary.cause' }))
      .otherwise(new sfn.Succeed(states, S.succeeded));
    const afterScoring: sfn.IChainable = p.promotion === PromotionMode.MANUAL ? this.approvals(states, invoke, p).next(checkOutcome) : checkOutcome;
    let afterSummary: sfn.IChainable = afterScoring;
    if (p.props.batchInference) {
      const start = new tasks.StepFunctionsStartExecution(states, S.startBatchInference, {
        stateMachine: p.props.batchInference.stateMachine,
        integrationPattern: sfn.IntegrationPattern.REQUEST_RESPONSE,
        input: sfn.TaskInput.fromObject({ 'model.$': '$.model', 'executionDate.$': '$.executionDate', 'categories.$': '$.summary.scoreCategories' }),
        name: sfn.JsonPath.format(`${batchExecutionPrefix(p.props.modelName)}-{}`, sfn.JsonPath.uuid()),
        resultPath: sfn.JsonPath.DISCARD,
        taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
      });
      start.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
      start.addCatch(afterScoring, { resultPath: '$.batchError' });
      start.next(afterScoring);
      afterSummary = new sfn.Choice(states, S.batchChoice)
        .when(sfn.Condition.booleanEquals('$.summary.startBatchInference', true), start)
        .otherwise(afterScoring);
    }
    summarize.next(afterSummary);

    // Summarize failing (a Lambda error, SNS refusing) must not cost the day's scoring: score
    // every planned category (not for experiments), then fail the execution with why.
    const summaryFailed = (id: string, startBatchInference: boolean) => new sfn.Pass(states, id, {
      parameters: {
        'status': 'FAILED',
        'cause.$': "States.Format('the execution could not be summarized ({}: {}); runs and versions are in the registry', $.summaryError.Error, $.summaryError.Cause)",
        'scoreCategories.$': '$.runs[*].category',
        startBatchInference,
      },
      resultPath: '$.summary',
    }).next(afterSummary);
    summarize.addCatch(new sfn.Choice(states, S.summaryFailed)
      .when(sfn.Condition.booleanEquals('$.experiment', true), summaryFailed(S.summaryFailedExperiment, false))
      .otherwise(summaryFailed(S.summaryFailedScore, true)), { errors: ['States.ALL'], resultPath: '$.summaryError' });
    return plan.next(map).next(summarize);
  }

  /**
   * Manual promotion: after scoring has started, waits for the decisions on the versions the
   * Map left PENDING_APPROVAL (all at once), and applies them. Outcomes go to `$.approvals`.
   */
  private approvals(states: Construct, invoke: (id: string, f: lambda.IFunction, payload: Record<string, unknown>) => tasks.LambdaInvoke,
    p: { gateFn: lambda.IFunction; recordFn: lambda.IFunction; approvalTimeout: Duration }): sfn.Map {
    const item = { 'item.$': '$' };
    const recordFailure = invoke(S.recordApprovalFailure, p.recordFn, { 'action': 'fail', ...item });
    recordFailure.addCatch(new sfn.Pass(states, S.approvalFailureNotRecorded, {
      parameters: { 'category.$': '$.category', 'runId.$': '$.runId', 'outcome': 'FAILED', 'reason': 'the approval failure could not be recorded in the registry; see the execution history' },
    }), { errors: ['States.ALL'], resultPath: '$.recordError' });
    const onFailure = { errors: ['States.ALL'], resultPath: '$.failure' };
    const request = new tasks.LambdaInvoke(states, S.requestApproval, {
      lambdaFunction: p.gateFn,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ action: 'request-approval', taskToken: sfn.JsonPath.taskToken, ...item }),
      taskTimeout: sfn.Timeout.duration(p.approvalTimeout),
      resultPath: '$.approval',
      retryOnServiceExceptions: false,
    });
    request.addRetry({ errors: LAMBDA_TRANSIENT, interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    const timedOut = invoke(S.approvalTimedOut, p.gateFn, { action: 'approval-timeout', ...item });
    timedOut.addCatch(recordFailure, onFailure);
    request.addCatch(timedOut, { errors: ['States.Timeout'], resultPath: '$.failure' });
    request.addCatch(recordFailure, onFailure);
    const apply = invoke(S.applyApproval, p.gateFn, { action: 'apply-approval', ...item });
    apply.addCatch(recordFailure, onFailure);
    request.next(apply);
    const map = new sfn.Map(states, S.approvals, { itemsPath: '$.results', resultPath: '$.approvals' });
    map.itemProcessor(new sfn.Choice(states, S.approvalNeeded)
      .when(sfn.Condition.stringEquals('$.outcome', 'PENDING_APPROVAL'), new sfn.Pass(states, S.approvalItem, { inputPath: '$.gated' }).next(request))
      .otherwise(new sfn.Pass(states, S.noApprovalNeeded)));
    return map;
  }
}

/** Execution names are at most 80 characters: the model name is cut so that "-" and a UUID (37) fit. */
function batchExecutionPrefix(modelName: string): string {
  return Token.isUnresolved(modelName) ? 'batch' : modelName.slice(0, 80 - 37);
}

import { ArnFormat, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { CONTAINER } from '../../lambda/shared/contract';
import { ENV } from '../../lambda/shared/env';
import { BATCH_DEFAULTS, BATCH_ENV, PART_PREFIX } from '../../lambda/shared/predictions/constants';
import { MlopsFunction } from '../common/mlops-function';
import { IBatchInference } from './batch-inference-base';
import { acknowledgeBatchFindings } from './batch-inference-nag';
import { BatchInferenceProps, validateBatchInferenceProps } from './validate-batch-inference-props';

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
  drift: 'ComputeDrift',
  summarize: 'CategoryDone',
  done: 'Done',
} as const;

/**
 * Batch inference of one model: resolves the production version of each category from the
 * registry at run time (categories without one are skipped), runs the model's own image in
 * scoring mode (`MLOPS_MODE=score`) as a SageMaker job under the container contract (channels
 * `model` and `scoring`, JSON Lines written to /opt/ml/output/data), splits the output into
 * bounded part files under the predictions prefix of (model, category, date), and loads every
 * part with a Distributed Map of loader invocations into the predictions table with
 * `expiresAt = generatedAt + ttl`. Re-running a day overwrites the same keys.
 */
export class BatchInference extends Construct implements IBatchInference {
  /** The batch inference state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** Role the scoring jobs run with. */
  public readonly scoringRole: iam.Role;
  /** The loader function (one invocation per part file). */
  public readonly loaderFunction: MlopsFunction;

  constructor(scope: Construct, id: string, props: BatchInferenceProps) {
    super(scope, id);
    validateBatchInferenceProps(props);
    const { model, dataLake } = props;
    const ttl = props.predictionTtl ?? Duration.hours(72);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    const resolveFn = new MlopsFunction(this, 'ResolveFunction', {
      handlerName: 'batch-resolve-version',
      description: `cdk-mlops batch inference of ${model}: resolve production versions`,
      logRetention: retention,
      environment: {
        [ENV.registryTable]: props.registry.tableName,
        [ENV.datasetsBucket]: dataLake.datasetsBucket.bucketName,
        [ENV.predictionsBucket]: dataLake.predictionsBucket.bucketName,
        [BATCH_ENV.categories]: JSON.stringify(props.categories ?? []),
        ...(props.scoringImage ? { [BATCH_ENV.defaultImage]: props.scoringImage } : {}),
      },
    });
    props.registry.grantRead(resolveFn);

    const extractFn = new MlopsFunction(this, 'ExtractFunction', {
      handlerName: 'batch-extract-predictions',
      description: `cdk-mlops batch inference of ${model}: split scoring output into parts`,
      logRetention: retention,
      memorySize: 1024,
      timeout: Duration.minutes(15),
      environment: {
        [ENV.predictionsBucket]: dataLake.predictionsBucket.bucketName,
        [BATCH_ENV.linesPerPart]: String(props.linesPerPart ?? BATCH_DEFAULTS.linesPerPart),
      },
    });
    dataLake.grantWritePredictions(extractFn, `${model}/`);

    this.loaderFunction = new MlopsFunction(this, 'LoadFunction', {
      handlerName: 'batch-load-predictions',
      description: `cdk-mlops batch inference of ${model}: load predictions with TTL`,
      logRetention: retention,
      memorySize: 512,
      timeout: Duration.minutes(10),
      environment: {
        [ENV.predictionsTable]: props.predictionStore.tableName,
        [BATCH_ENV.ttlHours]: String(ttl.toHours({ integral: false })),
      },
    });
    dataLake.grantReadPredictions(this.loaderFunction, `${model}/`);
    props.predictionStore.grantWritePredictions(this.loaderFunction);

    this.scoringRole = new iam.Role(this, 'ScoringRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `cdk-mlops scoring jobs of ${model}`,
    });
    dataLake.grantReadDatasets(this.scoringRole, `${model}/`);
    dataLake.grantReadArtifacts(this.scoringRole, `runs/${model}/`);
    dataLake.grantWritePredictions(this.scoringRole, `${model}/`);
    const stack = Stack.of(this);
    this.scoringRole.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/TrainingJobs*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    this.scoringRole.addToPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }));
    this.scoringRole.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    this.scoringRole.addToPolicy(new iam.PolicyStatement({
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' })],
    }));

    // ---- definition (JSONPath) ----
    const resolve = new tasks.LambdaInvoke(this, BATCH_STATES.resolve, {
      lambdaFunction: resolveFn,
      payload: sfn.TaskInput.fromObject({
        input: sfn.JsonPath.objectAt('$'),
        executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      }),
      resultSelector: { 'targets.$': '$.Payload.targets', 'skipped.$': '$.Payload.skipped', 'generatedAt.$': '$.Payload.generatedAt' },
      resultPath: '$.resolved',
      retryOnServiceExceptions: true,
    });

    const score = new tasks.SageMakerCreateTrainingJob(this, BATCH_STATES.score, {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      trainingJobName: sfn.JsonPath.stringAt('$.jobName'),
      role: this.scoringRole,
      algorithmSpecification: {
        trainingImage: tasks.DockerImage.fromJsonExpression(sfn.JsonPath.stringAt('$.image')),
        trainingInputMode: tasks.InputMode.FILE,
      },
      inputDataConfig: [
        { channelName: CONTAINER.scoringModelChannel, dataSource: { s3DataSource: { s3Location: tasks.S3Location.fromJsonExpression('$.modelUri'), s3DataType: tasks.S3DataType.S3_PREFIX } } },
        { channelName: CONTAINER.scoringInputChannel, dataSource: { s3DataSource: { s3Location: tasks.S3Location.fromJsonExpression('$.inputUri'), s3DataType: tasks.S3DataType.S3_PREFIX } } },
      ],
      outputDataConfig: { s3OutputLocation: tasks.S3Location.fromJsonExpression('$.outputUri'), encryptionKey: dataLake.encryptionKey },
      resourceConfig: {
        instanceCount: 1,
        instanceType: props.instanceType ?? new ec2.InstanceType('m5.xlarge'),
        volumeSize: props.volumeSize ?? Size.gibibytes(30),
        volumeEncryptionKey: dataLake.encryptionKey,
      },
      stoppingCondition: { maxRuntime: props.maxScoringRuntime ?? Duration.hours(4) },
      // Inputs arrive through channels and outputs leave through /opt/ml/output: the scoring
      // container needs no network.
      enableNetworkIsolation: true,
      environment: {
        [CONTAINER.env.mode]: 'score',
        [CONTAINER.env.model]: sfn.JsonPath.stringAt('$.model'),
        [CONTAINER.env.category]: sfn.JsonPath.stringAt('$.category'),
        [CONTAINER.env.executionDate]: sfn.JsonPath.stringAt('$.executionDate'),
        [CONTAINER.env.modelVersion]: sfn.JsonPath.stringAt('$.versionLabel'),
        [CONTAINER.env.runId]: sfn.JsonPath.stringAt('$.jobName'),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });

    const extract = new tasks.LambdaInvoke(this, BATCH_STATES.extract, {
      lambdaFunction: extractFn,
      payload: sfn.TaskInput.fromObject({
        outputKey: sfn.JsonPath.stringAt('$.outputKey'),
        predictionsPrefix: sfn.JsonPath.stringAt('$.predictionsPrefix'),
      }),
      resultSelector: { 'parts.$': '$.Payload.parts', 'lines.$': '$.Payload.lines' },
      resultPath: '$.extracted',
      retryOnServiceExceptions: true,
    });

    const loadPart = new tasks.LambdaInvoke(this, BATCH_STATES.loadPart, {
      lambdaFunction: this.loaderFunction,
      resultSelector: { 'written.$': '$.Payload.written', 'failed.$': '$.Payload.failed' },
      retryOnServiceExceptions: true,
    });
    // Items still unprocessed after the loader's own backoff: the whole part is retried (idempotent).
    loadPart.addRetry({ errors: ['LoadIncompleteError', 'States.Timeout', 'Lambda.TooManyRequestsException'], interval: Duration.seconds(30), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });

    const load = new sfn.DistributedMap(this, BATCH_STATES.load, {
      itemReader: new sfn.S3ObjectsItemReader({ bucket: dataLake.predictionsBucket, prefix: sfn.JsonPath.format(`{}${PART_PREFIX}`, sfn.JsonPath.stringAt('$.predictionsPrefix')) }),
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
      mapExecutionType: sfn.StateMachineType.EXPRESS,
      resultPath: sfn.JsonPath.DISCARD,
    });
    load.itemProcessor(loadPart);

    const categoryDone = new sfn.Pass(this, BATCH_STATES.summarize, {
      parameters: {
        category: sfn.JsonPath.stringAt('$.category'),
        version: sfn.JsonPath.numberAt('$.version'),
        parts: sfn.JsonPath.numberAt('$.extracted.parts'),
        predictions: sfn.JsonPath.numberAt('$.extracted.lines'),
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
        }),
        resultPath: sfn.JsonPath.DISCARD,
        retryOnServiceExceptions: true,
        taskTimeout: sfn.Timeout.duration(Duration.minutes(15)),
      });
      // Drift is monitoring: its failure must not fail a batch whose predictions are already served.
      drift.addCatch(categoryDone, { resultPath: '$.driftError' });
      afterLoad = drift.next(categoryDone);
    }
    scoreCategories.itemProcessor(score.next(extract).next(load).next(afterLoad));

    const definition = resolve.next(
      new sfn.Choice(this, BATCH_STATES.anything)
        .when(sfn.Condition.isPresent('$.resolved.targets[0]'), scoreCategories.next(new sfn.Succeed(this, BATCH_STATES.done)))
        .otherwise(new sfn.Succeed(this, BATCH_STATES.nothing, { comment: 'no category has a production version yet' })),
    );

    const logGroup = new logs.LogGroup(this, 'Logs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: props.timeout ?? Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `cdk-mlops batch inference of ${model}`,
    });

    if (props.schedule) {
      new events.Rule(this, 'Schedule', {
        schedule: props.schedule,
        description: `cdk-mlops batch inference of ${model}`,
        targets: [new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({ model, executionDate: events.EventField.time }),
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
      functions: [resolveFn, extractFn, this.loaderFunction, ...(props.driftFunction ? [props.driftFunction] : [])],
      scoringRole: this.scoringRole,
    });
  }
}

import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/shared/env';
import { ASYNC_ENV, ASYNC_LIMITS, AsyncModelConfig, AsyncWorkerConfig } from '../../lambda/shared/predict/async-config';
import { JOB_TABLE_KEY, JOB_TTL_ATTRIBUTE } from '../../lambda/shared/predict/async-job-store';
import { MlopsFunction } from '../common/mlops-function';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { wholeNumberProp } from '../common/validate-props';
import { IModelRegistry } from '../model-registry/model-registry-base';

/** The real-time endpoint the workers call (a `ModelEndpoint` is one). */
export interface IAsyncModelEndpoint {
  /** Name of the SageMaker real-time endpoint. */
  readonly endpointName: string;
  /** Grants sagemaker:InvokeEndpoint on it. */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
}

/** Props of {@link AsyncInference}. */
export interface AsyncInferenceProps {
  /** The model whose jobs these are (registry name). */
  readonly modelName: string;
  /** The model's real-time endpoint: the workers call it with the job's deadline. */
  readonly endpoint: IAsyncModelEndpoint;
  /** The registry: the workers read the served version of each job's category. */
  readonly registry: IModelRegistry;
  /** Where the queue-age and dead-letter alarms go (every alarm has an action). */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /**
   * Most time one model call of a job may take.
   * @default Duration.seconds(60) (one InvokeEndpoint call of a real-time endpoint answers within 60 s)
   */
  readonly timeout?: Duration;
  /**
   * Largest `:submit` body, in bytes.
   * @default 65536 (what the front ends read)
   */
  readonly maxPayloadBytes?: number;
  /**
   * How long a job and its result are kept after submission: the job item's TTL, and the results
   * bucket's lifecycle rounded up to whole days.
   * @default Duration.days(1)
   */
  readonly resultRetention?: Duration;
  /**
   * How long clients keep polling for a result: a job still queued after this long raises the
   * queue-age alarm, since its client has given up.
   * @default Duration.hours(1)
   */
  readonly pollWindow?: Duration;
  /**
   * Deliveries of a job before its message moves to the dead-letter queue (maxReceiveCount).
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Most jobs answered at once (the event source's maximum concurrency, 2-1000).
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * Key of the queues, the jobs table and the results bucket.
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the jobs table and the results bucket when removed from the stack.
   * @default RemovalPolicy.RETAIN (stateful resources are kept)
   */
  readonly removalPolicy?: RemovalPolicy;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Long inferences as jobs: the front end writes a QUEUED job item and sends a message to an SQS
 * queue; Lambda workers call the model's real-time endpoint, write the result to S3 and the job's
 * outcome to DynamoDB, conditionally, so retries are idempotent. Messages that fail maxAttempts
 * times move to a dead-letter queue. Alarms: the oldest queued job older than the poll window,
 * and any message in the dead-letter queue. Queues, table and bucket are encrypted with one key.
 */
export class AsyncInference extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly jobsTable: dynamodb.Table;
  readonly resultsBucket: s3.Bucket;
  readonly encryptionKey: kms.IKey;
  readonly workerFunction: lambda.Function;
  readonly alarms: cloudwatch.Alarm[];
  private readonly frontEnd: AsyncModelConfig;
  private readonly modelName: string;

  constructor(scope: Construct, id: string, props: AsyncInferenceProps) {
    super(scope, id);
    this.modelName = props.modelName;
    const timeout = props.timeout ?? Duration.seconds(ASYNC_LIMITS.sageMakerInvokeSeconds);
    const maxPayloadBytes = props.maxPayloadBytes ?? ASYNC_LIMITS.maxPayloadBytes;
    const retention = props.resultRetention ?? Duration.days(1);
    const pollWindow = props.pollWindow ?? Duration.hours(1);
    const maxAttempts = props.maxAttempts ?? 3;
    const maxConcurrency = props.maxConcurrency ?? 10;
    validateAsyncInferenceProps({ timeout, maxPayloadBytes, retention, maxAttempts, maxConcurrency });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `cdk-mlops async jobs of ${props.modelName}`, enableKeyRotation: true, removalPolicy,
    });
    this.jobsTable = new dynamodb.Table(this, 'Jobs', {
      partitionKey: { name: JOB_TABLE_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: JOB_TTL_ATTRIBUTE,
      removalPolicy,
    });
    this.resultsBucket = new s3.Bucket(this, 'Results', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      // Results are read by the job id while the job item lives; S3 counts whole days.
      lifecycleRules: [{ expiration: Duration.days(Math.max(1, Math.ceil(retention.toSeconds() / 86_400))), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.encryptionKey, enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const functionTimeout = timeout.plus(Duration.seconds(30));
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.encryptionKey, enforceSSL: true,
      // Lambda's guidance for SQS event sources: six times the function timeout.
      visibilityTimeout: Duration.seconds(functionTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: maxAttempts },
    });

    const worker: AsyncWorkerConfig = {
      model: props.modelName, jobsTable: this.jobsTable.tableName, resultsBucket: this.resultsBucket.bucketName,
      sageMakerEndpoint: props.endpoint.endpointName, timeoutMs: timeout.toMilliseconds(), maxAttempts,
    };
    this.workerFunction = new MlopsFunction(this, 'Worker', {
      handlerName: 'async-worker',
      description: `Answers the async inference jobs of ${props.modelName} with its real-time endpoint`,
      environment: { [ASYNC_ENV.worker]: JSON.stringify(worker), [ENV.registryTable]: props.registry.tableName },
      timeout: functionTimeout,
      logRetention: props.logRetention,
    });
    this.workerFunction.addEventSource(new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency }));
    this.jobsTable.grant(this.workerFunction, 'dynamodb:UpdateItem');
    this.encryptionKey.grantEncryptDecrypt(this.workerFunction);
    iam.Grant.addToPrincipal({ grantee: this.workerFunction, actions: ['s3:PutObject'], resourceArns: [this.resultsBucket.arnForObjects(`${resultsPrefix(props.modelName)}*`)] });
    props.registry.grantRead(this.workerFunction);
    props.endpoint.grantInvoke(this.workerFunction);

    this.frontEnd = {
      queueUrl: this.queue.queueUrl, jobsTable: this.jobsTable.tableName, resultsBucket: this.resultsBucket.bucketName,
      maxPayloadBytes, retentionSeconds: retention.toSeconds(),
    };
    this.alarms = this.createAlarms(props.modelName, pollWindow, props.alarmAction);
    acknowledgeNag(this, F.lambdaBasicExecution(), F.lambdaRuntime(), F.actionsWithoutResourceLevelPermissions(), F.kmsDataKeys(), F.kmsReEncrypt(),
      F.objectsUnder(this, this.resultsBucket.bucketArn, resultsPrefix(props.modelName)), F.registryIndex(this, props.registry.tableArn));
    acknowledgeNag(this.deadLetterQueue, F.deadLetterQueue());
    acknowledgeNag(this.resultsBucket, F.asyncResultsAccessLogs());
  }

  /** The front end's configuration of this model's jobs (an entry of MLOPS_ASYNC_JOBS). */
  get frontEndConfig(): AsyncModelConfig {
    return this.frontEnd;
  }

  /** Grants a front end `:submit` and `GET jobs/{jobId}`: send jobs, write and read job items, read results. */
  grantSubmit(grantee: iam.IGrantable): iam.Grant {
    // Named actions only (the L2 grants add kms:ReEncrypt*, s3:List* and the like, which a front end never needs).
    const objects = this.resultsBucket.arnForObjects(`${resultsPrefix(this.modelName)}*`);
    iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [this.queue.queueArn] });
    iam.Grant.addToPrincipal({ grantee, actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resourceArns: [this.encryptionKey.keyArn] });
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [objects] });
    if (Construct.isConstruct(grantee)) acknowledgeNag(grantee, F.objectsUnder(grantee, this.resultsBucket.bucketArn, resultsPrefix(this.modelName)));
    return this.jobsTable.grant(grantee, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }

  private createAlarms(model: string, pollWindow: Duration, action: cloudwatch.IAlarmAction): cloudwatch.Alarm[] {
    const alarms = [
      this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }).createAlarm(this, 'OldestJobAlarm', {
        alarmDescription: `${model}: an async job has waited longer than the poll window (${pollWindow.toHumanString()}); its client has given up. Check the worker's errors and the endpoint's capacity.`,
        threshold: pollWindow.toSeconds(), evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }).createAlarm(this, 'DeadLettersAlarm', {
        alarmDescription: `${model}: async jobs failed every attempt and are in the dead-letter queue (their jobs are FAILED). Read the worker's log, fix the model or endpoint; clients submit again.`,
        threshold: 1, evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      this.deadLetterQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }).createAlarm(this, 'OldestDeadLetterAlarm', {
        alarmDescription: `${model}: a dead letter has waited over 7 days; it is deleted after 14. Inspect it, then purge or redrive the dead-letter queue.`,
        threshold: Duration.days(7).toSeconds(), evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const a of alarms) a.addAlarmAction(action);
    return alarms;
  }
}

/** Key prefix of a model's results (see async-results.ts resultKey). */
function resultsPrefix(model: string): string {
  return `results/${model}/`;
}

function validateAsyncInferenceProps(p: { timeout: Duration; maxPayloadBytes: number; retention: Duration; maxAttempts: number; maxConcurrency: number }): void {
  if (!Token.isUnresolved(p.timeout.toSeconds()) && (p.timeout.toSeconds() < 1 || p.timeout.toSeconds() > ASYNC_LIMITS.workerSeconds)) {
    throw new Error(`timeout must be between 1 and ${ASYNC_LIMITS.workerSeconds} seconds (a Lambda worker runs at most 15 minutes), but ${p.timeout.toSeconds()} was provided`);
  }
  wholeNumberProp('maxPayloadBytes', p.maxPayloadBytes, 1, ASYNC_LIMITS.maxPayloadBytes, ' (what the front ends read)');
  if (p.retention.toSeconds() < 3600) throw new Error(`resultRetention must be at least 1 hour, but ${p.retention.toHumanString()} was provided`);
  wholeNumberProp('maxAttempts', p.maxAttempts, 1, 1000);
  wholeNumberProp('maxConcurrency', p.maxConcurrency, 2, 1000, ' (the SQS event source\'s maximum concurrency)');
}

import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { handlerCode } from './handler-code';
import { GuardFindings, acknowledgeGuard, acknowledgeOperationalLogRetention } from './guard';
import { MlopsLogGroup } from './log-key';
import { NagFindings, acknowledgeNag } from './nag';

/**
 * Concurrency reserved for a function invoked asynchronously: an event storm (a flood of alarms
 * or execution events) then cannot take the account's concurrency from the serving functions.
 * Throttled asynchronous events are not lost: Lambda retries them for up to six hours, then
 * sends them to the dead-letter queue.
 */
export const ASYNC_RESERVED_CONCURRENCY = 2;

/** Props of {@link MlopsFunction}. */
export interface MlopsFunctionProps {
  /** Folder name of the handler under `lambda/` (bundled into `build/handlers/<name>`). */
  readonly handlerName: string;
  /** Human readable purpose, used as the function description. */
  readonly description: string;
  /**
   * Environment variables.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Timeout.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Memory.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Log retention of the function's own log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Key that encrypts the function's environment. The log group is encrypted with the stack's
   * log key (see LogKey).
   * @default - AWS owned keys
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Execution role shared with the other functions of one pipeline (see {@link PipelineFunctionRole}):
   * grants to the function then go to that role.
   * @default - a role of its own with Lambda's basic execution policy
   */
  readonly role?: iam.IRole;
  /**
   * Whether the function is invoked asynchronously (an EventBridge rule target). Such a function
   * sends events that fail every retry to its stack's dead-letter queue (`AsyncDeadLetters` at the
   * stack's root, one per stack: a message holds the failed event and Lambda's error attributes), and has
   * reserved concurrency ({@link ASYNC_RESERVED_CONCURRENCY}). A function called synchronously
   * (a Step Functions task, an API) has neither: its caller sees and retries the failure, and a
   * reservation would turn a burst into failed calls.
   * @default false
   */
  readonly asynchronous?: boolean;
}

/**
 * One execution role for the Lambda functions of one pipeline of one model (e.g. every step of a
 * training pipeline). A role per function costs a role and a policy each (two of a model stack's
 * resources per function) without narrowing anything that matters: the functions of one pipeline
 * run one workflow on one model's data. The role holds the union of its functions' grants, so only
 * functions whose union writes nothing another pipeline owns may share it.
 */
export class PipelineFunctionRole extends iam.Role {
  constructor(scope: Construct, id: string, props: { readonly description: string }) {
    super(scope, id, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
      // The same managed policy lambda.Function attaches to a role it creates.
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
  }
}

/**
 * A Lambda function running one of our build-time bundles: Node.js 22 on arm64, X-Ray tracing,
 * an explicit log group with retention, and JSON logs. Owns runtime, architecture, handler and
 * asset path so no construct can drift from them.
 */
export class MlopsFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: MlopsFunctionProps) {
    const logGroup = new MlopsLogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // Logs are diagnostics, not system-of-record data: remove them with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeOperationalLogRetention(logGroup);
    super(scope, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: handlerCode(props.handlerName),
      description: props.description,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      environmentEncryption: props.encryptionKey,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      role: props.role,
      deadLetterQueue: props.asynchronous ? stackDeadLetterQueue(scope) : undefined,
      reservedConcurrentExecutions: props.asynchronous ? ASYNC_RESERVED_CONCURRENCY : undefined,
    });
    props.encryptionKey?.grantEncryptDecrypt(this);
    acknowledgeGuard(this, GuardFindings.functionOutsideVpc());
    acknowledgeNag(this, NagFindings.functionOutsideVpc(), NagFindings.runtimePinned());
    if (!props.asynchronous) acknowledgeNag(this, NagFindings.synchronousFunction());
  }
}

const DEAD_LETTERS_ID = 'AsyncDeadLetters';

/** The dead-letter queue of the asynchronously invoked functions of `scope`'s stack, created on first use. */
function stackDeadLetterQueue(scope: Construct): sqs.IQueue {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(DEAD_LETTERS_ID) as sqs.Queue | undefined;
  if (existing) return existing;
  const queue = new sqs.Queue(stack, DEAD_LETTERS_ID, {
    encryption: sqs.QueueEncryption.KMS_MANAGED,
    enforceSSL: true,
    // The longest SQS keeps a message: two weeks to look at a failed event and replay it.
    retentionPeriod: Duration.days(14),
  });
  acknowledgeNag(queue, NagFindings.deadLetterQueue());
  acknowledgeGuard(queue, GuardFindings.deadLetterQueue());
  return queue;
}

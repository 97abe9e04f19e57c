import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { handlerCode } from './handler-code';

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
   * Key that encrypts the function's log group and environment.
   * @default - AWS owned keys
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A Lambda function running one of our build-time bundles: Node.js 22 on arm64, X-Ray tracing,
 * an explicit log group with retention, and JSON logs. Owns runtime, architecture, handler and
 * asset path so no construct can drift from them.
 */
export class MlopsFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: MlopsFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      // Logs are diagnostics, not system-of-record data: remove them with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
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
    });
    props.encryptionKey?.grantEncryptDecrypt(this);
  }
}

import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../dynamo';
import { ENV, requireEnv } from '../env';
import { ModelRegistryClient } from '../registry';
import { configFromEnv } from './config';
import { TRAINING_ENV } from './constants';
import type { EcrClientFor } from './image-digest';
import { PipelineConfig } from './types';

/** Publishes a notification; SNS in AWS, a capture in tests and local mode. */
export interface Notifier {
  publish(subject: string, message: string): Promise<void>;
}

/** Everything the training handlers touch, injectable so tests and local mode pass emulators. */
export interface TrainingDeps {
  readonly config: PipelineConfig;
  readonly registry: ModelRegistryClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly s3: S3Client;
  readonly datasetsBucket: string;
  readonly artifactsBucket: string;
  readonly notifier: Notifier;
  readonly now: () => Date;
  /**
   * ECR clients with which the plan pins an image tag to its digest.
   * @default - the image is recorded as configured (local mode)
   */
  readonly ecr?: EcrClientFor;
  /**
   * Where EMF metric lines go.
   * @default writeEmf: process.stdout, unchanged by the Lambda JSON log format (CloudWatch turns it into metrics)
   */
  readonly emit?: (line: string) => void;
  /**
   * Where operational log lines go (e.g. outputs that could not be tagged).
   * @default one JSON line on console.info / console.warn (the Lambda log stream)
   */
  readonly log?: LogFn;
}

/** An operational log line: level, message and structured detail. */
export type LogFn = (level: 'INFO' | 'WARN', message: string, detail?: Record<string, unknown>) => void;

/** The deps' log function, or JSON lines on the console. */
export function logWith(deps: Pick<TrainingDeps, 'log'>): LogFn {
  return deps.log ?? ((level, message, detail) => (level === 'WARN' ? console.warn : console.info)(JSON.stringify({ level, message, ...detail })));
}

/** Publishes to the platform's topic and, when the model has one, to its owner's topic. */
export class SnsNotifier implements Notifier {
  constructor(private readonly client: SNSClient, private readonly topicArns: readonly string[]) {}
  async publish(subject: string, message: string): Promise<void> {
    // SNS subjects: ASCII, no newlines, at most 100 characters.
    const safeSubject = subject.replace(/[^\x20-\x7E]/g, ' ').slice(0, 100);
    for (const topicArn of this.topicArns) {
      await this.client.send(new PublishCommand({ TopicArn: topicArn, Subject: safeSubject, Message: message }));
    }
  }
}

let cached: TrainingDeps | undefined;

/** Dependencies from the Lambda environment, built once per container. */
export function depsFromEnv(): TrainingDeps {
  if (cached) return cached;
  const doc = documentClient();
  const tableName = requireEnv(ENV.registryTable);
  cached = {
    config: configFromEnv(),
    registry: new ModelRegistryClient({ tableName, doc }),
    doc,
    tableName,
    s3: new S3Client({}),
    datasetsBucket: requireEnv(ENV.datasetsBucket),
    artifactsBucket: requireEnv(ENV.artifactsBucket),
    notifier: new SnsNotifier(new SNSClient({}), [requireEnv(ENV.notificationTopic), ...(process.env[TRAINING_ENV.ownerTopic] ? [process.env[TRAINING_ENV.ownerTopic]!] : [])]),
    now: () => new Date(),
    ecr: ecrClients(),
  };
  return cached;
}

/** One ECR client per region, created on first use. */
function ecrClients(): EcrClientFor {
  const clients = new Map<string, ECRClient>();
  return (region) => {
    let client = clients.get(region);
    if (!client) clients.set(region, client = new ECRClient({ region }));
    return client;
  };
}

/** Identity written to the registry for actions the pipeline takes. */
export function pipelineActor(config: PipelineConfig, executionId?: string): string {
  return `pipeline:${config.pipelineName ?? config.model}${executionId ? `:${executionId.split(':').pop()}` : ''}`.slice(0, 256);
}

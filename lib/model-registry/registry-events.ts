import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NagFindings as F, acknowledgeNag } from '../common/nag';
import { REGISTRY_EVENTS } from '../../lambda/shared/contract';
import { ENTITY } from '../../lambda/shared/registry/keys';
import { GuardFindings, acknowledgeGuard } from '../common/guard';

export interface RegistryEventsProps {
  readonly table: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  readonly encryptionKey: kms.IKey;
}

/**
 * Forwards registry changes from the table's stream to EventBridge with EventBridge Pipes
 * (filtering and reshaping happen in the pipe: no Lambda, no polling code of ours).
 * Events that cannot be delivered after retries land in an encrypted dead-letter queue.
 */
export class RegistryEvents extends Construct {
  /** Records the pipes could not deliver. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: RegistryEventsProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(this.deadLetterQueue, F.deadLetterQueue());
    acknowledgeGuard(this.deadLetterQueue, GuardFindings.deadLetterQueue());

    const role = new iam.Role(this, 'PipeRole', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Reads the model registry stream and puts registry change events on the event bus',
    });
    props.table.grantStreamRead(role);
    props.eventBus.grantPutEventsTo(role);
    this.deadLetterQueue.grantSendMessages(role);
    acknowledgeNag(role, F.actionsWithoutResourceLevelPermissions(), F.kmsReEncrypt(), F.kmsDataKeys());

    const image = '$.dynamodb.NewImage';
    this.pipe('VersionRegisteredPipe', role, props, ENTITY.version, REGISTRY_EVENTS.versionRegistered, [
      `"model": <${image}.model.S>`,
      `"category": <${image}.category.S>`,
      `"version": <${image}.version.N>`,
      `"status": <${image}.status.S>`,
      `"artifactUri": <${image}.artifactUri.S>`,
      `"registeredBy": <${image}.registeredBy.S>`,
      `"registeredAt": <${image}.registeredAt.S>`,
    ]);
    this.pipe('ModelPromotedPipe', role, props, ENTITY.promotion, REGISTRY_EVENTS.modelPromoted, [
      `"model": <${image}.model.S>`,
      `"category": <${image}.category.S>`,
      `"kind": <${image}.kind.S>`,
      `"toVersion": <${image}.toVersion.N>`,
      `"scoring": <${image}.scoring.S>`,
      `"sequence": <${image}.sequence.N>`,
      `"actor": <${image}.actor.S>`,
      `"reason": <${image}.reason.S>`,
      `"at": <${image}.at.S>`,
    ]);
  }

  private pipe(id: string, role: iam.IRole, props: RegistryEventsProps, entity: string, detailType: string, fields: string[]): pipes.CfnPipe {
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error('cdk-mlops: the registry table has no stream; RegistryEvents needs one');
    return new pipes.CfnPipe(this, id, {
      description: `Registry ${entity} inserts -> "${detailType}" events`,
      roleArn: role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'LATEST',
          batchSize: 10,
          maximumRetryAttempts: 10,
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
        filterCriteria: {
          filters: [{ pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [entity] } } } }) }],
        },
      },
      target: props.eventBus.eventBusArn,
      targetParameters: {
        inputTemplate: `{${fields.join(', ')}}`,
        eventBridgeEventBusParameters: { detailType, source: REGISTRY_EVENTS.source },
      },
    });
  }
}

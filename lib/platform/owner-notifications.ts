import { Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { limitGrantsToAwsServices } from '../common/key-grants';

/** Props of {@link OwnerNotifications}. */
export interface OwnerNotificationsProps {
  /** The model whose notifications the owner gets. */
  readonly model: string;
  /** The owner's e-mail address (the spec's `owner`). */
  readonly owner: string;
}

/** What a spec's `owner` must look like to be subscribed. */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Whether the spec's owner is an e-mail address (a team name cannot be subscribed). */
export function isEmailOwner(owner: string): boolean {
  return EMAIL.test(owner);
}

/**
 * The model owner's own topic, with the owner subscribed by e-mail: the model's alarms
 * (training failures, stale predictions, serving, drift) and its pipeline's notifications
 * (failures, approval requests) go there as well as to the platform topic.
 *
 * A topic per model rather than a filter policy on the platform topic: CloudWatch alarm actions
 * publish the alarm as it is, without message attributes, so an attribute filter would never
 * match an alarm, and a body filter would need every message to be JSON with the model in it.
 * A key of the stack's own (one for every owner topic in the stack), because CloudWatch may only
 * publish to an encrypted topic whose key policy lets cloudwatch.amazonaws.com use it, and the
 * platform's keys live in the platform stack.
 */
export class OwnerNotifications extends Construct {
  /** The owner's topic. */
  readonly topic: sns.Topic;
  private readonly action: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: OwnerNotificationsProps) {
    if (!Token.isUnresolved(props.owner) && !isEmailOwner(props.owner)) {
      throw new Error(`owner must be an e-mail address to be subscribed, but ${JSON.stringify(props.owner)} was provided: give the owner's address`);
    }
    super(scope, id);
    const key = ownerTopicsKey(Stack.of(this));
    this.topic = new sns.Topic(this, 'Resource', { displayName: `cdk-mlops ${props.model}: notifications for its owner`, masterKey: key, enforceSSL: true });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.owner));
    this.action = new actions.SnsAction(this.topic);
  }

  /** Sends these alarms to the owner too (on ALARM). */
  notifyOn(alarms: readonly cloudwatch.Alarm[]): void {
    for (const alarm of alarms) alarm.addAlarmAction(this.action);
  }
}

/** The one key of a stack's owner topics, created with the first. */
function ownerTopicsKey(stack: Stack): kms.IKey {
  const id = 'CdkMlopsOwnerTopicsKey';
  const existing = stack.node.tryFindChild(id) as kms.Key | undefined;
  if (existing) return existing;
  const key = new kms.Key(stack, id, { description: 'Encrypts the cdk-mlops notification topics of model owners', enableKeyRotation: true });
  key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
  limitGrantsToAwsServices(key);
  return key;
}

import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { limitGrantsToAwsServices } from '../common/key-grants';

/** What the pipeline tells its team: a failed run, a finished one, and an approval that waits. */
export const PIPELINE_NOTIFICATION_EVENTS = [
  codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
  codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED,
  codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
];

/**
 * The pipeline's notification topic in the tools account (a notification rule publishes only to
 * a topic of its own account): encrypted with its own rotated key, which CodeStar Notifications may
 * use, TLS only, with the team's e-mail addresses subscribed.
 */
export class PipelineNotificationTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: { readonly emails: string[] }) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'cdk-mlops: delivery pipeline notifications' });
    key.grant(new iam.ServicePrincipal('codestar-notifications.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');
    limitGrantsToAwsServices(key);
    this.topic = new sns.Topic(this, 'Resource', { masterKey: key, enforceSSL: true, displayName: 'cdk-mlops delivery pipeline' });
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
}

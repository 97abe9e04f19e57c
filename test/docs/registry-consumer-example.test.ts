// #region consumer
import { Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ModelRegistry } from '../../lib';

export interface ReportingStackProps extends StackProps {
  readonly registryKeyArn: string; // the platform's data key: it encrypts the registry table
}

export class ReportingStack extends Stack {
  constructor(scope: Construct, id: string, props: ReportingStackProps) {
    super(scope, id, props);
    const tableName = ssm.StringParameter.valueForStringParameter(this, '/cdk-mlops/default/registry/table-name');
    const registry = ModelRegistry.fromRegistryAttributes(this, 'Registry', {
      tableArn: this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName }),
      encryptionKey: kms.Key.fromKeyArn(this, 'RegistryKey', props.registryKeyArn),
    });
    const onModelChange = new lambda.Function(this, 'OnModelChange', {
      runtime: lambda.Runtime.NODEJS_22_X, architecture: lambda.Architecture.ARM_64, handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (e) => console.log(JSON.stringify(e.detail));'),
    });
    registry.grantRead(onModelChange);
    new events.Rule(this, 'ModelChanges', {
      eventPattern: {
        source: ['cdk-mlops.registry'],
        detailType: ['Model Version Registered', 'Model Promoted'],
        detail: { model: ['demand-forecast'] },
      },
      targets: [new targets.LambdaFunction(onModelChange)],
    });
  }
}
// #endregion consumer

import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { REGISTRY_EVENTS } from '../../lambda/shared/contract';
import { testApp } from '../support/cdk';
import { pageSnippet, testedRegion } from './snippets';

describe('the registry consumer example of docs/platform-team.md', () => {
  const stack = new ReportingStack(testApp(), 'Reporting', { registryKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/0e7f2b4c-1111-2222-3333-444455556666' });
  const template = Template.fromStack(stack);

  test('is the code shown on the page', () => {
    expect(pageSnippet('consumer')).toEqual(testedRegion(readFileSync(__filename, 'utf8'), 'consumer'));
  });

  test('subscribes to the event source and detail types the registry publishes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': [REGISTRY_EVENTS.source],
        'detail-type': [REGISTRY_EVENTS.versionRegistered, REGISTRY_EVENTS.modelPromoted],
        'detail': { model: ['demand-forecast'] },
      },
    });
  });

  test('lets the function read the imported registry table and decrypt with its key', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['dynamodb:GetItem', 'dynamodb:Query']) }),
          Match.objectLike({ Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:111111111111:key/0e7f2b4c-1111-2222-3333-444455556666' }),
        ]),
      },
    });
  });
});

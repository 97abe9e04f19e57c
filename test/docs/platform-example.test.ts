// #region platform
import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { loadModelSpec, loadModelSpecs, MlopsPlatform } from '../../lib';

export class MlPlatformStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // Every models/<name>/model.yaml, validated and pattern-checked at synth.
    const platform = new MlopsPlatform(this, 'Platform', {
      models: loadModelSpecs('models'),
      alarmEmails: ['ml-team@example.com'],
    });
    // A model kept elsewhere joins later, without touching the other models' resources.
    platform.addModel(loadModelSpec('teams/retention/churn/model.yaml'));
    // The shared constructs are there for your own grants.
    const exportJob = iam.Role.fromRoleName(this, 'ExportJob', 'data-export');
    platform.dataLake.grantWriteDatasets(exportJob, 'demand-forecast/');
  }
}
// #endregion platform

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { testApp } from '../support/cdk';
import { pageSnippet, testedRegion } from './snippets';

const CHURN_SPEC = `description: Churn risk per customer
owner: retention@example.com
training: { image: public.ecr.aws/docker/library/python:3.12-slim }
evaluation: { metric: auc }
inference: { serving: none }
`;

/** Runs `build` in a folder laid out as the snippet expects: ./models (the repository's) and the churn spec. */
function inProjectFolder<T>(build: () => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-docs-'));
  const cwd = process.cwd();
  try {
    symlinkSync(join(__dirname, '..', '..', 'models'), join(dir, 'models'), 'dir');
    mkdirSync(join(dir, 'teams', 'retention', 'churn'), { recursive: true });
    writeFileSync(join(dir, 'teams', 'retention', 'churn', 'model.yaml'), CHURN_SPEC);
    process.chdir(dir);
    return build();
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the MlopsPlatform example of docs/platform-team.md', () => {
  test('is the code shown on the page', () => {
    expect(pageSnippet('platform')).toEqual(testedRegion(readFileSync(__filename, 'utf8'), 'platform'));
  });

  test('deploys the models folder plus the added model, and grants the export job its prefix', () => {
    const template = inProjectFolder(() => Template.fromStack(new MlPlatformStack(testApp(), 'MlPlatform')));
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 5);
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cdk-mlops/default/models/churn/training-state-machine-arn' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: ['data-export'],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:PutObject']) })]) },
    });
  });
});

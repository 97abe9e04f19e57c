// The MlopsChecks example of docs/platform-team.md: a platform team's own stack, checked by
// AwsSolutions and MlopsChecks at synth. The page shows exactly the region below.
import { readFileSync } from 'node:fs';
import { testApp } from '../../support/cdk';
import { pageSnippet, testedRegion } from '../../docs/snippets';
import { synthFindings } from './platform-apps';
// #region mlops-checks
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MlopsChecks } from '../../../lib';

/** A platform team's app: its own stacks, checked by AwsSolutions and the MLOps rules at synth. */
export function checkedApp(app: App): Stack {
  const stack = new Stack(app, 'Notebooks');
  // What popular peer constructs do: Mlops-IamNoManagedFullAccess[AmazonSageMakerFullAccess].
  new iam.Role(stack, 'NotebookRole', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSageMakerFullAccess')],
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new MlopsChecks(app));
  return stack;
}
// #endregion mlops-checks

test('the page shows the tested code, with the package import', () => {
  const region = testedRegion(readFileSync(__filename, 'utf8'), 'mlops-checks').replace("from '../../../lib'", "from 'cdk-mlops'");
  expect(pageSnippet('mlops-checks')).toEqual(region);
});

test('the example app fails synth with the full-access finding, next to AwsSolutions\' own', () => {
  const findings = synthFindings((() => { const app = testApp(); checkedApp(app); return app; })());
  expect(findings.filter((f) => f.startsWith('Mlops-'))).toEqual(['Mlops-IamNoManagedFullAccess[AmazonSageMakerFullAccess] Notebooks/NotebookRole/Resource']);
  expect(findings).toContain('AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSageMakerFullAccess] Notebooks/NotebookRole/Resource');
});

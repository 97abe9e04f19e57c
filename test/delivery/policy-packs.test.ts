// MLOPS_POLICY_PACKS, which the delivery pipeline's synth step sets to `all`: the app's packs
// check its own stacks and every stage inside it (the pipeline's environments).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { addPolicyPacks, policyPackNames } from '../../bin/policy-packs';
import { testApp } from '../support/cdk';

/** The packs whose findings a synth reports on a plain bucket and function in a stage nested in a stack. */
function packsReporting(value: string | undefined): string[] {
  const app = testApp();
  const holder = new Stack(app, 'Delivery', { env: { account: '111111111111', region: 'eu-west-1' } });
  const stage = new Stage(holder, 'dev', { env: { account: '222222222222', region: 'eu-west-1' } });
  const platform = new Stack(stage, 'Platform');
  new s3.Bucket(platform, 'PlainBucket');
  new lambda.Function(platform, 'PlainFunction', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
  addPolicyPacks(app, value);
  expect(() => app.synth()).toThrow(/validation/i);
  const report = readdirSync(app.outdir).filter((f) => f.endsWith('validation-report.json')).map((f) => readFileSync(join(app.outdir, f), 'utf8')).join('\n');
  const rules = report.match(/"ruleName":\s*"([A-Za-z0-9.]+)-/g) ?? [];
  return [...new Set(rules.map((r) => /"([A-Za-z0-9.]+)-$/.exec(r)![1]))].sort();
}

test('unset: AwsSolutions only; all: AwsSolutions, NIST 800-53 R5, HIPAA, Serverless and Mlops, on the stages too', () => {
  expect(packsReporting(undefined)).toEqual(['AwsSolutions']);
  expect(packsReporting('all')).toEqual(['AwsSolutions', 'HIPAA.Security', 'Mlops', 'NIST.800.53.R5', 'Serverless']);
  expect(policyPackNames('all')).toEqual(['AwsSolutions', 'NIST80053R5', 'HIPAASecurity', 'Serverless', 'Mlops']);
});

test('a list picks packs by name; an unknown name is an error naming it and the choices', () => {
  expect(policyPackNames(' Serverless,NIST80053R5 ')).toEqual(['Serverless', 'NIST80053R5']);
  expect(() => policyPackNames('AwsSolutions,PCI')).toThrow('MLOPS_POLICY_PACKS=AwsSolutions,PCI names "PCI".\nfix: use "all", or a comma-separated list of AwsSolutions, NIST80053R5, HIPAASecurity, Serverless, Mlops');
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { NagFindings, acknowledgeNag, flatten, renderForStack } from '../../lib/common/nag';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { MlopsPlatformStack } from '../../lib/platform/mlops-platform-stack';
import { loadModelSpec, parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { nagFindings, testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function spec(name: string, extra: Record<string, unknown>): ModelSpec {
  const { spec: s, problems } = parseModelSpecObject({
    name, description: `${name} model`, owner: 'ds@example.com', categories: ['a', 'b'],
    training: { image: 'public.ecr.aws/docker/library/python:3.12-slim' }, evaluation: { metric: 'rmse' },
    inference: { mode: 'batch', rules: { fallback: [{ name: 'default', prediction: 0 }] } },
    ...extra,
  }, { file: `models/${name}/model.yaml` });
  if (!s) throw new Error(JSON.stringify(problems));
  return s;
}

/** One model per front end and backend: SageMaker + Fargate service, Batch (ECR image) + API with manual promotion, and batch only. */
const MODELS = () => [
  spec('served', { inference: { mode: 'both', serving: 'service', rules: { fallback: [{ name: 'default', prediction: 0 }] } } }),
  spec('gpu', {
    training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/gpu:1', backend: 'batch', instanceType: 'g5.xlarge', maxVcpus: 32, command: ['python3', '/opt/program/train.py'] },
    evaluation: { metric: 'rmse', promotion: 'manual' },
    inference: { mode: 'batch', serving: 'api', tps: { min: 1, avg: 5, max: 20 }, rules: { fallback: [{ name: 'default', prediction: 0 }] } },
  }),
  spec('offline', { training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/offline@sha256:' + 'a'.repeat(64) }, inference: { mode: 'batch', serving: 'none' } }),
];

describe('nag acknowledgements hold in every environment', () => {
  test.each([
    ['env-agnostic', undefined],
    ['env-specific', ENV],
  ])('%s stack: every backend and front end synthesizes with no unacknowledged AwsSolutions finding', (_kind, env) => {
    expect(nagFindings((app) => { new MlopsPlatform(new Stack(app, 'Platform', { env }), 'Platform', { models: MODELS() }); })).toEqual([]);
  });

  test('the default app with the example model (a Docker image asset) is nag-clean in an env-specific stack', () => {
    const example = loadModelSpec(join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml'));
    expect(nagFindings((app) => { new MlopsPlatformStack(app, 'Default', { env: ENV, models: [example] }); })).toEqual([]);
  });

  test('spells values exactly as cdk-nag does', () => {
    const { flattenCfnReference } = require('cdk-nag/lib/utils/flatten-cfn-reference');
    const samples = [
      'arn:aws:s3:::bucket/*', '${AWS::Region}', { Ref: 'Bucket' }, { 'Fn::GetAtt': ['Table', 'Arn'] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { 'Fn::GetAtt': ['G', 'Arn'] }, ':*']] },
      { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: 'Sm' }] }] }, { 'Fn::ImportValue': 'Export' }, { 'Fn::Sub': 'arn:${AWS::Partition}:x' },
    ];
    for (const v of samples) expect(flatten(v)).toBe(flattenCfnReference(v));
  });

  test('an env-agnostic id is rendered with the pseudo parameters the stack knows', () => {
    const app = new App();
    const id = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:x:*]';
    expect(renderForStack(new Stack(app, 'Agnostic'), id)).toBe(id);
    expect(renderForStack(new Stack(app, 'Specific', { env: ENV }), id)).toBe('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:x:*]');
  });

  test('a finding that is not acknowledged is still reported (the helper acknowledges exact ids only)', () => {
    const findings = nagFindings((app) => {
      const stack = new Stack(app, 'Specific', { env: ENV });
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: 'other:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })] }));
      acknowledgeNag(role, NagFindings.sageMakerTrainingLogs(':*'));
    });
    expect(findings.map((f) => f.ruleId)).toEqual(['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:other:*]']);
  });

  test('one reason per finding: every acknowledged id carries the same reason wherever it is acknowledged', () => {
    const app = testApp();
    new MlopsPlatform(new Stack(app, 'Platform', { env: ENV }), 'Platform', { models: MODELS() });
    const reasons = new Map<string, Set<string>>();
    const walk = (c: IConstruct) => {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, ack] of Object.entries(entry.data as Record<string, unknown>)) {
          const reason = typeof ack === 'string' ? ack : String((ack as { reason: string }).reason);
          reasons.set(id, (reasons.get(id) ?? new Set()).add(reason));
        }
      }
      c.node.children.forEach(walk);
    };
    walk(app);
    expect([...reasons.entries()].filter(([, r]) => r.size > 1).map(([id, r]) => [id, [...r]])).toEqual([]);
    const star = [...reasons.entries()].filter(([id]) => id.endsWith('::AwsSolutions-IAM5[Resource::*]')).map(([, r]) => [...r]);
    expect(star).toEqual([[NagFindings.actionsWithoutResourceLevelPermissions().reason]]);
  });

  test('constructs acknowledge only through the helper', () => {
    const root = join(__dirname, '..', '..', 'lib');
    const direct: string[] = [];
    const walk = (dir: string) => readdirSync(dir, { withFileTypes: true }).forEach((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      // MlopsChecks' docs tell users how to acknowledge its findings; it acknowledges nothing itself.
      else if (path.endsWith('.ts') && !path.endsWith(join('common', 'nag.ts')) && !path.includes(join('checks', 'nag')) && /\.acknowledge\(/.test(readFileSync(path, 'utf8'))) direct.push(path);
    });
    walk(root);
    expect(direct).toEqual([]);
  });
});

// 9 §8: no role of the platform may read, write or decrypt data, or pull images, on `Resource: *`.
// Checked on a full MlopsPlatform with a SageMaker-trained and a Batch-trained model.
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { loadModelSpec, parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';

const EXAMPLE = join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml');

function batchModel() {
  const { spec, problems } = parseModelSpecObject({
    name: 'gpu-churn', description: 'churn', owner: 'ds@example.com', categories: ['a', 'b'],
    training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn@sha256:' + 'a'.repeat(64), backend: 'batch', instanceType: 'g5.xlarge', maxVcpus: 32, command: ['python3', '/opt/program/train.py'] },
    evaluation: { metric: 'auc' },
    inference: { mode: 'batch', serving: 'api', rules: { fallback: [{ name: 'default', prediction: 0 }] } },
  }, { file: 'models/gpu-churn/model.yaml' });
  if (!spec) throw new Error(JSON.stringify(problems));
  return spec;
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

/** Every statement of every identity policy (IAM policies, managed policies, inline role policies), by owner. */
function identityStatements(template: Record<string, any>): Array<{ owner: string; statement: Statement }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: Array<{ owner: string; statement: Statement }> = [];
  for (const [id, r] of Object.entries(template.Resources as Record<string, { Type: string; Properties: any }>)) { // eslint-disable-line @typescript-eslint/no-explicit-any
    const docs = r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy' ? [r.Properties.PolicyDocument]
      : r.Type === 'AWS::IAM::Role' ? (r.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument) : [];
    for (const doc of docs) for (const statement of doc.Statement as Statement[]) out.push({ owner: id, statement });
  }
  return out;
}

const flat = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(flat).join('');
  const o = (v ?? {}) as Record<string, unknown>;
  if ('Fn::Join' in o) return flat((o['Fn::Join'] as [string, unknown[]])[1]);
  if ('Fn::Sub' in o) return flat(o['Fn::Sub']);
  return '<token>';
};
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
// Data access: S3, KMS, and ECR except GetAuthorizationToken (which has no resource-level permissions).
const DATA_ACTION = /^(s3|kms):|^ecr:(?!GetAuthorizationToken$)/;
// `*`, or an ARN whose resource part is only a wildcard (every bucket, repository, key).
const ANY_RESOURCE = /^\*$|^arn:[^:]*:s3:::\*$|:repository\/\*$|:key\/\*$/;

describe('IAM scope of a whole platform (SageMaker and Batch backends)', () => {
  let statements: Array<{ owner: string; statement: Statement }>;
  beforeAll(() => {
    const stack = new Stack(testApp(), 'Platform');
    new MlopsPlatform(stack, 'Platform', { models: [loadModelSpec(EXAMPLE), batchModel()] });
    statements = identityStatements(Template.fromStack(stack).toJSON());
  });

  test('no role has an S3, ECR or KMS data action on every resource', () => {
    const offending = statements
      .filter(({ statement: s }) => s.Effect === 'Allow' && list(s.Action).some((a) => DATA_ACTION.test(a)) && list(s.Resource).some((r) => ANY_RESOURCE.test(flat(r))))
      .map(({ owner, statement: s }) => `${owner}: ${list(s.Action).join(',')} on ${list(s.Resource).map(flat).join(',')}`);
    expect(statements.length).toBeGreaterThan(50);
    expect(offending).toEqual([]);
  });

  test('every kms:CreateGrant is for AWS resources only, and the scoring roles\' only through SageMaker or EC2', () => {
    const grants = statements.filter(({ statement: s }) => list(s.Action).includes('kms:CreateGrant'));
    expect(grants.length).toBeGreaterThan(0);
    for (const { statement: s } of grants) expect(s.Condition?.Bool?.['kms:GrantIsForAWSResource']).toBe('true');
    const scoring = grants.filter(({ owner }) => /ScoringRole/.test(owner));
    expect(scoring).toHaveLength(2);
    for (const { statement: s } of scoring) {
      expect(list(s.Condition?.StringEquals?.['kms:ViaService'] as string[]).map(flat)).toEqual([expect.stringMatching(/^sagemaker\./), expect.stringMatching(/^ec2\./)]);
    }
  });

  test('scoring roles pull images only from their model\'s repository', () => {
    const pulls = statements.filter(({ owner, statement: s }) => /ScoringRole/.test(owner) && list(s.Action).includes('ecr:BatchGetImage'));
    expect(pulls.map(({ statement: s }) => list(s.Resource).map(flat).join(','))).toEqual(expect.arrayContaining([
      expect.stringMatching(/:repository\/churn$/),
      expect.stringMatching(/:repository\/cdk-.*container-assets/),
    ]));
  });
});

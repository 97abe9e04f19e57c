// Least privilege per model (issue 10 §1): in a two-model app, no role of one model's stack may
// read, write or start anything of the other model. The models share the platform's buckets
// and tables; what separates them is the key prefix (S3), the name prefix (jobs) and the stack
// (state machines, functions, roles). The two copies cover both training engines (SageMaker and
// Batch GPU) and the ALB + Fargate front end.
import { modelCopies } from '../../bench/synth/model-copies';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { testApp } from '../support/cdk';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
interface Owned { readonly owner: string; readonly actions: string[]; readonly resources: string[]; readonly condition: Record<string, Record<string, unknown>> }

/** Tokens spelled the way a reader checks them: `<Ref>` / `<Id.Attr>` for this stack's resources. */
const flat = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(flat).join('');
  const o = (v ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if ('Fn::Join' in o) return (o['Fn::Join'][1] as unknown[]).map(flat).join(o['Fn::Join'][0]);
  if ('Ref' in o) return `<${o.Ref}>`;
  if ('Fn::GetAtt' in o) return `<${o['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(o);
};
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function statementsOf(template: { Resources: Record<string, { Type: string; Properties: any }> }): Owned[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: Owned[] = [];
  for (const [owner, r] of Object.entries(template.Resources)) {
    const docs = r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy' ? [r.Properties.PolicyDocument]
      : r.Type === 'AWS::IAM::Role' ? (r.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument) : [];
    for (const doc of docs) {
      for (const s of doc.Statement as Statement[]) {
        if (s.Effect === 'Allow') out.push({ owner, actions: list(s.Action), resources: list(s.Resource).map(flat), condition: s.Condition ?? {} });
      }
    }
  }
  return out;
}

const [a, b] = modelCopies(4).slice(2).map((s) => s.name);
const app = testApp();
new MlopsPlatformStacks(app, { models: modelCopies(4).slice(2) });
const stacks = Object.fromEntries(app.synth().stacks.map((s) => [s.stackName, s.template]));
const pairs = [[a, b], [b, a]] as const;
const statements = (model: string) => statementsOf(stacks[`MlopsPlatformStack-${model}`]);
/** Every key prefix a model's data lives under, in each of the shared buckets. */
const ownPrefixes = (model: string) => [`${model}/`, `runs/${model}/`, `experiments/${model}/`, `manifests/${model}/`, `serving/${model}/`, `data-capture/${model}/`];
/** The S3 key part of an object ARN of a shared bucket (imported by name from an SSM parameter). */
const keyOf = (arn: string) => /^arn:<AWS::Partition>:s3:::<SsmParameterValue[^>]+>\/(.*)$/.exec(arn)?.[1];

describe.each(pairs)('the roles of model %s', (model, other) => {
  test(`never name model ${other}`, () => {
    const mentions = statements(model).filter((s) => JSON.stringify(s).includes(other)).map((s) => s.owner);
    expect(statements(model).length).toBeGreaterThan(40);
    expect(mentions).toEqual([]);
  });

  test('touch objects only under their own model\'s prefixes of the shared buckets', () => {
    const objects = statements(model).flatMap((s) => s.resources.map(keyOf).filter((k): k is string => k !== undefined).map((key) => ({ owner: s.owner, key })));
    expect(objects.length).toBeGreaterThan(10);
    const outside = objects.filter(({ key }) => !ownPrefixes(model).some((p) => key.startsWith(p)));
    expect(outside).toEqual([]);
  });

  test('list the shared buckets only under their own prefixes, except the batch Distributed Map\'s item reader', () => {
    const lists = statements(model).filter((s) => s.actions.includes('s3:ListBucket'));
    const unscoped = lists.filter((s) => !s.condition.StringLike?.['s3:prefix']);
    // Step Functions' S3 item reader lists the predictions bucket for the parts of this model's
    // batch (it reads no object: the loader role reads the parts, under this model's prefix).
    expect(unscoped.map((s) => s.owner)).toEqual([expect.stringMatching(/^ModelBatchInferenceRoleDefaultPolicy/)]);
    for (const s of lists.filter((x) => !unscoped.includes(x))) {
      for (const prefix of list(s.condition.StringLike['s3:prefix'] as string | string[])) {
        expect([s.owner, prefix, ownPrefixes(model).some((p) => prefix.startsWith(p))]).toEqual([s.owner, prefix, true]);
      }
    }
  });

  test('start, invoke and pass only their own stack\'s state machines, functions and roles, and create only their own jobs and endpoint versions', () => {
    const ownStack = /^<[A-Za-z0-9]+(\.Arn)?>(:\*)?$|^arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:\{"Fn::Select":\[6,\{"Fn::Split":\[":",\{"Ref":"[A-Za-z0-9]+"\}\]\}\]\}(\/\*)?:\*$/;
    // Training and scoring jobs; the real-time endpoint's version models and configs, and the endpoint itself.
    const jobs = new RegExp(`:training-job/(${model}-|score-${model})\\*?$|:(model|endpoint-config)/${model}-v\\*$|:endpoint/${model}$`);
    for (const s of statements(model)) {
      const kinds = new Set(s.actions.map((x) => x.split(':')[0]));
      if (kinds.has('states') || kinds.has('lambda') || s.actions.includes('iam:PassRole')) {
        for (const r of s.resources) expect([s.owner, r, ownStack.test(r)]).toEqual([s.owner, r, true]);
      }
      if (s.actions.some((x) => x.startsWith('sagemaker:Create'))) {
        for (const r of s.resources) expect([s.owner, r, jobs.test(r)]).toEqual([s.owner, r, true]);
      }
    }
  });

  test('write the shared tables\' items of their own model only where IAM can tell (the drift rate-limit item)', () => {
    const tables = statements(model).filter((s) => s.actions.some((x) => x.startsWith('dynamodb:')));
    // Registry and predictions items are keyed by model, which IAM cannot scope on these tables'
    // indexes: the handlers take their model from the stack's configuration (README design note).
    for (const s of tables) for (const r of s.resources) expect(r).toMatch(/^arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table\/<SsmParameterValue[^>]+>(\/index\/\*)?$/);
    const drift = tables.filter((s) => s.condition['ForAllValues:StringLike']);
    expect(drift.map((s) => s.condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'])).toEqual([[`DRIFT#${model}`]]);
  });
});

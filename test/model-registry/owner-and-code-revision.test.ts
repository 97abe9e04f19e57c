// Issue 11 §4: the spec's owner gets their own model's notifications (a per-model topic,
// KMS-encrypted, TLS only, the owner subscribed by e-mail; every alarm of the model and the
// pipeline's failure and approval notifications publish there too), and the training code's
// revision is recorded (spec field, else the synth's context, else MLOPS_CODE_REVISION).
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { SNSClient } from '@aws-sdk/client-sns';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { TRAINING_ENV } from '../../lambda/shared/training/constants';
import { SnsNotifier } from '../../lambda/shared/training/deps';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { CODE_REVISION_CONTEXT, CODE_REVISION_ENV } from '../../lib/platform/model-deployment';
import fc from 'fast-check';
import { MetricDirection, ModelSpec } from '../../lib/spec/model-spec';
import { validateTrainingPipelineProps } from '../../lib/training-pipeline/validate-training-pipeline-props';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { nagFindings, testApp } from '../support/cdk';

function specOf(owner: string, training: Record<string, unknown> = {}): ModelSpec {
  const { spec, problems } = parseModelSpecObject({
    name: 'churn', description: 'churn model', owner, categories: ['a'],
    training: { image: 'public.ecr.aws/docker/library/python:3.12-slim', ...training },
    evaluation: { metric: 'rmse' },
    inference: { mode: 'batch', rules: { fallback: [{ name: 'default', prediction: 0 }] } },
  }, { file: 'models/churn/model.yaml' });
  if (!spec) throw new Error(JSON.stringify(problems));
  return spec;
}

function synth(spec: ModelSpec, context: Record<string, string> = {}): { stack: Stack; template: Template } {
  const app = testApp();
  for (const [k, v] of Object.entries(context)) app.node.setContext(k, v);
  const stack = new Stack(app, 'Platform');
  new MlopsPlatform(stack, 'Mlops', { models: [spec] });
  return { stack, template: Template.fromStack(stack) };
}

/** The pipeline configuration the training functions get. */
function trainingConfig(template: Template): Record<string, unknown> {
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.[TRAINING_ENV.config])!;
  const raw = fn.Properties.Environment.Variables[TRAINING_ENV.config];
  // The config is a Fn::Join of literal JSON and tokens; the literal parts hold codeRevision.
  return { text: JSON.stringify(raw) };
}

describe('owner notifications', () => {
  const { stack, template } = synth(specOf('retention@example.com'));
  const topics = template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: 'cdk-mlops churn: notifications for its owner' } });
  const [topicId] = Object.keys(topics);

  test('the owner is subscribed by e-mail to a KMS-encrypted, TLS-only topic of their model, whose key CloudWatch may use', () => {
    expect(Object.keys(topics)).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'retention@example.com', TopicArn: { Ref: topicId } });
    const keyId = topics[topicId].Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::KMS::Key', Match.objectLike({ EnableKeyRotation: true }));
    expect(JSON.stringify(template.toJSON().Resources[keyId].Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('every alarm of the model notifies the owner as well as the platform topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => JSON.stringify(a.Properties.AlarmName).includes('-churn-'));
    expect(alarms.length).toBeGreaterThan(5);
    for (const a of alarms) expect({ alarm: a.Properties.AlarmName, actions: a.Properties.AlarmActions }).toEqual({ alarm: a.Properties.AlarmName, actions: expect.arrayContaining([{ Ref: topicId }]) });
    // The shared tables' alarms belong to no model: not the owner's.
    const shared = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => JSON.stringify(a.Properties.AlarmName).includes('-shared-'));
    for (const a of shared) expect(a.Properties.AlarmActions).not.toContainEqual({ Ref: topicId });
  });

  test('the pipeline functions that notify (failures, approvals) may publish to the owner topic and are told its ARN', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.[TRAINING_ENV.ownerTopic]);
    expect(fns.length).toBeGreaterThan(0);
    for (const f of fns) expect(f.Properties.Environment.Variables[TRAINING_ENV.ownerTopic]).toEqual({ Ref: topicId });
    const publishers = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(`{"Ref":"${topicId}"}`));
    // The notifying steps share the training pipeline's one function role: one policy publishes.
    expect(publishers.length).toBe(1);
    expect(Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('is not an e-mail address'))).toEqual([]);
  });

  test('an owner that is a team name gets no topic, and the synth says how to subscribe them', () => {
    const team = synth(specOf('ds-team'));
    team.template.resourcePropertiesCountIs('AWS::SNS::Topic', { DisplayName: 'cdk-mlops churn: notifications for its owner' }, 0);
    Annotations.fromStack(team.stack).hasInfo('*', Match.stringLikeRegexp('churn: owner "ds-team" is not an e-mail address, so only the platform topic gets its notifications; write the owner\'s address in models/churn/model.yaml'));
  });

  test('has no unacknowledged cdk-nag findings', () => {
    expect(nagFindings((app) => { new MlopsPlatform(new Stack(app, 'Nag'), 'Mlops', { models: [specOf('retention@example.com')] }); })).toEqual([]);
  });
});

describe('the pipeline notifier publishes to the platform topic and the owner topic', () => {
  let server: Server;
  const published: URLSearchParams[] = [];
  beforeAll(async () => {
    // SNS's query protocol: a form-encoded POST, an XML answer.
    server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      published.push(new URLSearchParams(body));
      res.setHeader('content-type', 'text/xml');
      res.end(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-${published.length}</MessageId></PublishResult></PublishResponse>`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('one notification reaches both topics', async () => {
    const client = new SNSClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const platform = 'arn:aws:sns:us-east-1:111111111111:mlops-alarms';
    const owner = 'arn:aws:sns:us-east-1:111111111111:churn-owner';
    await new SnsNotifier(client, [platform, owner]).publish('churn/a: approval needed', 'approve v3');
    expect(published.map((p) => [p.get('Action'), p.get('TopicArn'), p.get('Subject'), p.get('Message')])).toEqual([
      ['Publish', platform, 'churn/a: approval needed', 'approve v3'],
      ['Publish', owner, 'churn/a: approval needed', 'approve v3'],
    ]);
  });
});

describe('code revision (lineage)', () => {
  const revisionOf = (template: Template) => /\\"codeRevision\\":\\"([^\\]+)\\"/.exec(trainingConfig(template).text as string)?.[1];
  const saved = process.env[CODE_REVISION_ENV];
  afterEach(() => { if (saved === undefined) delete process.env[CODE_REVISION_ENV]; else process.env[CODE_REVISION_ENV] = saved; });

  test('the spec\'s training.codeRevision wins, then the synth context, then MLOPS_CODE_REVISION; without any, none is recorded', () => {
    process.env[CODE_REVISION_ENV] = 'env-rev';
    expect(revisionOf(synth(specOf('o@example.com', { codeRevision: 'spec-rev' }), { [CODE_REVISION_CONTEXT]: 'ctx-rev' }).template)).toBe('spec-rev');
    expect(revisionOf(synth(specOf('o@example.com'), { [CODE_REVISION_CONTEXT]: 'ctx-rev' }).template)).toBe('ctx-rev');
    expect(revisionOf(synth(specOf('o@example.com')).template)).toBe('env-rev');
    delete process.env[CODE_REVISION_ENV];
    expect(revisionOf(synth(specOf('o@example.com')).template)).toBeUndefined();
  });

  test('the spec loader and the TrainingPipeline accept exactly the same code revisions (found once, at the field)', () => {
    fc.assert(fc.property(fc.string({ minLength: 0, maxLength: 300 }), (rev) => {
      const { problems } = parseModelSpecObject({
        name: 'churn', description: 'd', owner: 'o', training: { codeRevision: rev }, evaluation: { metric: 'rmse' },
      }, { file: 'models/churn/model.yaml' });
      const loaderAccepts = !problems.some((p) => p.path === 'training.codeRevision');
      let constructAccepts = true;
      try {
        validateTrainingPipelineProps({ modelName: 'churn', categories: ['a'], evaluation: { metric: 'rmse', direction: MetricDirection.MINIMIZE }, codeRevision: rev });
      } catch {
        constructAccepts = false;
      }
      expect({ rev, loaderAccepts }).toEqual({ rev, loaderAccepts: constructAccepts });
    }));
  });

  test('a code revision longer than 256 characters is a spec problem at the field', () => {
    const { problems } = parseModelSpecObject({
      name: 'churn', description: 'd', owner: 'o', training: { codeRevision: 'x'.repeat(257) }, evaluation: { metric: 'rmse' },
    }, { file: 'models/churn/model.yaml' });
    expect(problems).toContainEqual(expect.objectContaining({ path: 'training.codeRevision' }));
  });
});

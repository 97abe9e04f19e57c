// DataIngestion with a built-in source: a fetch function replaces the Fargate job (no ECS, no
// VPC), with a role that reads only the source; the spec's data.ingestion.source wires it.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DataIngestion, DataIngestionProps } from '../../lib/data-ingestion/data-ingestion';
import { DataLake } from '../../lib/data-lake/data-lake';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { needsNetwork } from '../../lib/platform/model-outputs';
import { PlatformNetwork } from '../../lib/platform/platform-network';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ColumnType, DataFormat, ModelSpec } from '../../lib/spec/model-spec';
import { formatProblem } from '../../lib/spec/fields';
import { INGEST_SOURCE_ENV } from '../../lambda/shared/ingestion/source';
import { testApp, testStack } from '../support/cdk';
import { synthWithAllPacks } from '../policy/policy-apps';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const KEY = 'arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function ingestion(stack: Stack, overrides: Partial<DataIngestionProps> = {}): DataIngestion {
  return new DataIngestion(stack, 'Ingestion', {
    model: 'demand', categories: ['books', 'toys'], dataLake: new DataLake(stack, 'DataLake'), location: 'demand/', format: DataFormat.CSV,
    columns: [{ name: 'units', type: ColumnType.INTEGER, nullable: false }], interval: Duration.hours(6),
    alarmTopic: new sns.Topic(stack, 'Topic', { enforceSSL: true }),
    ...overrides,
  });
}
const s3Source = (stack: Stack, key = false) => ({
  s3: { bucket: s3.Bucket.fromBucketName(stack, 'Src', 'partner-exports'), prefix: 'exports/demand/', ...(key ? { encryptionKey: kms.Key.fromKeyArn(stack, 'SrcKey', KEY) } : {}) },
});

/** Every statement of the role of the function whose environment holds the fetch config, resolved. */
function fetchStatements(t: Template): Array<Record<string, any>> {
  const fns = t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [INGEST_SOURCE_ENV]: Match.anyValue() } } } });
  expect(Object.keys(fns)).toHaveLength(1);
  const roleId = Object.values(fns)[0].Properties.Role['Fn::GetAtt'][0];
  const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const mentions = (v: unknown, s: string) => JSON.stringify(v).includes(s);

describe('DataIngestion with a built-in source', () => {
  test('an S3 source: window -> wait for uploads in flight -> fetch function -> deliver; no ECS cluster, task definition or security group', () => {
    const stack = testStack();
    const i = ingestion(stack, { source: s3Source(stack) });
    const t = Template.fromStack(stack);
    for (const type of ['AWS::ECS::Cluster', 'AWS::ECS::TaskDefinition', 'AWS::EC2::SecurityGroup', 'AWS::EC2::VPC']) t.resourceCountIs(type, 0);
    expect(i.taskDefinition).toBeUndefined();
    const definition = JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('Fetch from source');
    expect(definition).toContain('\\"Wait for uploads in flight\\":{\\"Type\\":\\"Wait\\",\\"Seconds\\":300');
    expect(definition).not.toContain('ecs:runTask');
    const fn = t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [INGEST_SOURCE_ENV]: Match.anyValue() } } } });
    const config = JSON.stringify(Object.values(fn)[0].Properties.Environment.Variables[INGEST_SOURCE_ENV]);
    expect(config).toContain('\\"s3\\":{\\"bucket\\":\\"partner-exports\\",\\"prefix\\":\\"exports/demand/\\"}');
    expect(config).toContain('\\"maxObjects\\":1000');
  });

  test('the fetch role reads the source bucket under its prefix only (and decrypts with its key); no other role reaches the source', () => {
    const stack = testStack();
    ingestion(stack, { source: s3Source(stack, true) });
    const t = Template.fromStack(stack);
    const statements = fetchStatements(t);
    const onSource = statements.filter((s) => mentions(s.Resource, 'partner-exports'));
    expect(onSource).toEqual([
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::partner-exports']] }, Condition: { StringLike: { 's3:prefix': ['exports/demand/*'] } } },
      { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::partner-exports/exports/demand/*']] } },
    ]);
    expect(statements).toContainEqual({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: KEY, Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } } });
    // It writes only the staging prefix of the artifacts bucket; it cannot write the datasets.
    const writes = statements.filter((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(writes).toHaveLength(1);
    expect(JSON.stringify(writes[0].Resource)).toContain('/runs/demand/_ingestion/*');
    expect(statements.some((s) => mentions(s.Action, 'secretsmanager'))).toBe(false);
    const others = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => !statements.includes(p.Properties.PolicyDocument.Statement[0]));
    expect(others.filter((p) => mentions(p, 'partner-exports') || mentions(p, KEY))).toEqual([]);
  });

  test.each([
    ['a name', (s: Stack) => secretsmanager.Secret.fromSecretNameV2(s, 'Secret', 'demand/token'), ':secret:demand/token-??????'],
    ['a complete ARN', (s: Stack) => secretsmanager.Secret.fromSecretCompleteArn(s, 'Secret', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:demand/token-AbCdEf'), 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:demand/token-AbCdEf'],
  ])('an HTTP source with a secret given by %s: GetSecretValue on that secret only; no wait, no source bucket', (_, secret, resource) => {
    const stack = testStack();
    ingestion(stack, { source: { http: { url: 'https://api.example.com/{category}?from={start}', secret: secret(stack) } } });
    const t = Template.fromStack(stack);
    const statements = fetchStatements(t);
    const onSecrets = statements.filter((s) => mentions(s.Action, 'secretsmanager'));
    expect(onSecrets).toHaveLength(1);
    expect(onSecrets[0].Action).toBe('secretsmanager:GetSecretValue');
    expect(JSON.stringify(onSecrets[0].Resource)).toContain(resource);
    expect(statements.filter((s) => mentions(s.Action, 's3:GetObject') || mentions(s.Action, 's3:ListBucket'))).toEqual([]);
    const definition = JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('Fetch from source');
    expect(definition).not.toContain('Wait for uploads');
  });

  test('props: exactly one of command and source; errors name the prop, the value and the fix', () => {
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim');
    const withStack = (f: (s: Stack) => Partial<DataIngestionProps>) => () => { const s = testStack(); ingestion(s, f(s)); };
    expect(withStack(() => ({}))).toThrow(/DataIngestion needs command \(a job\) or source \(a built-in source\), but neither was provided: pass e\.g\. command/);
    expect(withStack((s) => ({ source: s3Source(s), command: ['python3', 'x.py'], image }))).toThrow(/DataIngestion command is for a job, but source is set too: remove command and image/);
    expect(withStack((s) => ({ source: s3Source(s), vpc: new PlatformNetwork(s, 'Net').vpc }))).toThrow(/DataIngestion vpc is for a job, but source is set too: remove vpc/);
    expect(withStack((s) => ({ source: { ...s3Source(s), http: { url: 'https://x.example.com/' } } }))).toThrow(/source must set exactly one of s3 and http, but both was provided/);
    expect(withStack(() => ({ source: {} }))).toThrow(/source must set exactly one of s3 and http, but neither was provided/);
    expect(withStack(() => ({ source: { http: { url: 'http://api.example.com/x' } } }))).toThrow(/source\.http\.url must be an https:\/\/ URL \(plain http only to a loopback host, for tests\), but "http:\/\/api\.example\.com\/x" was provided/);
    expect(withStack(() => ({ source: { http: { url: 'https://x.example.com/', header: 'Bad Header' } } }))).toThrow(/source\.http\.header must be an HTTP header name, but "Bad Header" was provided/);
    expect(withStack((s) => ({ source: { s3: { bucket: s3.Bucket.fromBucketName(s, 'B', 'b-1'), prefix: 'exports' } } }))).toThrow(/source\.s3\.prefix must be a key prefix ending in "\/" without a leading "\/", but "exports" was provided/);
    expect(withStack(() => ({ command: ['python3', 'x.py'], image }))).toThrow(/DataIngestion vpc is required with command/);
    expect(withStack((s) => ({ command: ['python3', 'x.py'], vpc: new PlatformNetwork(s, 'Net').vpc }))).toThrow(/DataIngestion image is required with command/);
  });
});

// --- the spec ---

function parse(ingestion: Record<string, unknown>, name = 'demand') {
  return parseModelSpecObject({
    name, description: 'demand', owner: 'ds@example.com', categories: ['books', 'toys'],
    training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1' }, evaluation: { metric: 'rmse' },
    inference: { mode: 'batch', serving: 'none' }, schedule: { cron: '0 13 * * *' },
    data: { ingestion },
  }, { file: `models/${name}/model.yaml` });
}
function spec(ingestion: Record<string, unknown>, name?: string): ModelSpec {
  const { spec: s, problems } = parse(ingestion, name);
  if (!s) throw new Error(problems.map(formatProblem).join('\n'));
  return s;
}

describe('data.ingestion.source in the spec', () => {
  test('resolves an S3 or an HTTP source, with the header default; no command', () => {
    expect(spec({ every: '6h', source: { s3: { uri: 's3://partner-exports/exports/demand/', kmsKey: KEY } } }).data.ingestion).toEqual({
      every: '6h', intervalSeconds: 21600, timeZone: 'UTC', triggersTraining: false,
      source: { s3: { uri: 's3://partner-exports/exports/demand/', bucket: 'partner-exports', prefix: 'exports/demand/', kmsKey: KEY } },
    });
    expect(spec({ every: '1h', source: { http: { url: 'https://api.example.com/{category}', secret: 'demand/token' } } }).data.ingestion?.source)
      .toEqual({ http: { url: 'https://api.example.com/{category}', secret: 'demand/token', header: 'Authorization' } });
    expect(spec({ every: '1h', source: { s3: { uri: 's3://partner-exports/' } } }).data.ingestion?.source?.s3).toMatchObject({ bucket: 'partner-exports', prefix: '' });
  });

  test.each([
    [{ every: '6h', command: ['python3', 'x.py'], source: { s3: { uri: 's3://b-1/p/' } } }, 'data.ingestion.command: ["python3","x.py"] is invalid: expected no command when source is set (exactly one of command and source). Fix: remove command'],
    [{ every: '6h', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/i:1', source: { s3: { uri: 's3://b-1/p/' } } }, 'data.ingestion.image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/i:1" is invalid: expected no image when source is set'],
    [{ every: '6h', source: {} }, 'data.ingestion.source: {} is invalid: expected exactly one of s3 and http (found neither s3 nor http)'],
    [{ every: '6h', source: { s3: { uri: 's3://b-1/p/' }, http: { url: 'https://x.example.com/' } } }, 'data.ingestion.source: {"s3":{"uri":"s3://b-1/p/"},"http":{"url":"https://x.example... is invalid: expected exactly one of s3 and http (found both s3 and http). Fix: keep one source'],
    [{ every: '6h', source: { s3: { uri: 's3://b-1/p' } } }, 'data.ingestion.source.s3.uri: "s3://b-1/p" is invalid: expected an S3 URI of a bucket and a prefix ending in "/"'],
    [{ every: '6h', source: { s3: { uri: 's3://b-1/p/', kmsKey: 'alias/partner' } } }, 'data.ingestion.source.s3.kmsKey: "alias/partner" is invalid: expected a KMS key ARN'],
    [{ every: '6h', source: { http: { url: 'http://api.example.com/' } } }, 'data.ingestion.source.http.url: "http://api.example.com/" is invalid: expected an https:// URL (plain http only to a loopback host, for tests)'],
    [{ every: '6h', source: { http: { url: 'https://x.example.com/{day}' } } }, 'data.ingestion.source.http.url: "https://x.example.com/{day}" is invalid: expected only the placeholders {category}, {start}, {end} (found {day})'],
    [{ every: '6h', source: { http: { url: 'https://x.example.com/', secret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token' } } }, 'data.ingestion.source.http.secret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token" is invalid: expected a Secrets Manager secret name or complete ARN'],
    [{ every: '6h', source: { http: { url: 'https://x.example.com/', header: 'X Key' } } }, 'data.ingestion.source.http.header: "X Key" is invalid: expected an HTTP header name'],
    [{ every: '6h', source: { ftp: { url: 'ftp://x/' } } }, 'data.ingestion.source.ftp: {"url":"ftp://x/"} is invalid: expected one of the fields s3, http'],
  ])('%j is refused naming the field, the value and the fix', (ingestion, message) => {
    const { problems } = parse(ingestion);
    expect(problems.map(formatProblem).join('\n')).toContain(`models/demand/model.yaml: ${message}`);
    expect(problems.every((p) => p.fix.length > 0)).toBe(true);
  });
});

describe('MlopsPlatform with data.ingestion.source', () => {
  test('the model stack gets the fetch function and no ECS resources, and needs no network', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    const m = spec({ every: '6h', source: { s3: { uri: 's3://partner-exports/exports/demand/', kmsKey: KEY } } });
    expect(needsNetwork(m)).toBe(false);
    new MlopsPlatform(stack, 'Platform', { models: [m] });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ECS::TaskDefinition', 0);
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { [INGEST_SOURCE_ENV]: Match.anyValue() } } });
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(6 hours)', Description: 'Ingestion of demand (data.ingestion)' });
  });

  test('every policy pack is clean on model stacks with an S3 and an HTTP source (acknowledgements carry their reasons)', () => {
    const findings = synthWithAllPacks((app: App) => {
      new MlopsPlatformStacks(app, {
        stackProps: { env: ENV },
        models: [
          spec({ every: '6h', source: { s3: { uri: 's3://partner-exports/exports/demand/', kmsKey: KEY } } }, 'from-s3'),
          spec({ every: '1h', source: { http: { url: 'https://api.example.com/{category}?from={start}&to={end}', secret: 'demand/token' } } }, 'from-http'),
        ],
      });
    });
    expect(findings.open.map((f) => `${f.rule} ${f.path}`)).toEqual([]);
    const ours = findings.acknowledged.filter((f) => f.path.includes('/Ingestion/'));
    expect(ours.some((f) => f.rule.startsWith('AwsSolutions-IAM5') && f.path.includes('Fetch'))).toBe(true);
    expect(ours.filter((f) => !f.reason || f.reason.length < 40)).toEqual([]);
  }, 300_000);
});

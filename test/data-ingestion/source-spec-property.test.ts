// data.ingestion.source over generated values: every source the loader accepts synthesizes (the
// construct's own checks agree with the spec's), and a source made invalid in one field is
// refused at exactly that field, with a fix.
import fc from 'fast-check';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DataIngestion } from '../../lib/data-ingestion';
import { ingestionSourceFromSpec } from '../../lib/data-ingestion/ingestion-source';
import { DataLake } from '../../lib/data-lake/data-lake';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { INGEST_SOURCE_ENV, expandUrl, sourceUrlProblem } from '../../lambda/shared/ingestion/source';
import { testStack } from '../support/cdk';

const chars = (alphabet: string, min: number, max: number) => fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(''));
const lower = 'abcdefghijklmnopqrstuvwxyz0123456789';
const bucket = fc.tuple(fc.constantFrom(...lower), chars(`${lower}-.`, 1, 20), fc.constantFrom(...lower)).map((p) => p.join('')).filter((b) => !/\.\.|-\.|\.-/.test(b));
const segment = chars(`${lower}_-`, 1, 12);
const prefix = fc.array(segment, { maxLength: 3 }).map((s) => s.map((x) => `${x}/`).join(''));
const account = chars('0123456789', 12, 12);
const kmsKey = fc.tuple(account, fc.uuid()).map(([a, u]) => `arn:aws:kms:eu-west-1:${a}:key/${u}`);
// The last label is letters: a numeric one makes the host an IPv4 address (a.2 is refused).
const host = fc.tuple(fc.array(chars(lower, 1, 10), { minLength: 1, maxLength: 2 }), chars('abcdefghijklmnopqrstuvwxyz', 2, 6)).map(([p, tld]) => [...p, tld].join('.'));
const pathPart = fc.oneof(segment, fc.constant('{category}'));
const query = fc.subarray(['from={start}', 'to={end}', 'cat={category}', 'format=csv']).map((q) => (q.length ? `?${q.join('&')}` : ''));
const url = fc.tuple(host, fc.array(pathPart, { maxLength: 3 }), query).map(([h, p, q]) => `https://${h}/${p.join('/')}${q}`);
const secretName = chars('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+=.@-', 1, 40);
const secret = fc.oneof(secretName, fc.tuple(account, secretName, chars('abcdefABCDEF0123456789', 6, 6)).map(([a, n, s]) => `arn:aws:secretsmanager:eu-west-1:${a}:secret:${n}-${s}`));
const header = chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_!#$%&'*+.^`|~", 1, 30);

const s3Source = fc.record({ uri: fc.tuple(bucket, prefix).map(([b, p]) => `s3://${b}/${p}`), kmsKey }, { requiredKeys: ['uri'] }).map((s3) => ({ s3 }));
const httpSource = fc.record({ url, secret, header }, { requiredKeys: ['url'] }).map((http) => ({ http }));
const validSource = fc.oneof(s3Source, httpSource);

function parse(ingestion: Record<string, unknown>) {
  return parseModelSpecObject({
    name: 'demand', description: 'd', owner: 'o', categories: ['books', 'toys'],
    training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1' }, evaluation: { metric: 'rmse' },
    inference: { mode: 'batch', serving: 'none' }, schedule: { cron: '0 13 * * *' },
    data: { ingestion: { every: '6h', ...ingestion } },
  }, { file: 'models/demand/model.yaml' });
}

test('every source the loader accepts synthesizes a fetch function with that source', () => {
  fc.assert(fc.property(validSource, (source) => {
    const { spec, problems } = parse({ source });
    expect(problems).toEqual([]);
    const stack: Stack = testStack();
    new DataIngestion(stack, 'Ingestion', {
      model: 'demand', categories: spec!.categories, dataLake: new DataLake(stack, 'DataLake'), location: 'demand/', format: spec!.data.format,
      interval: Duration.hours(6), source: ingestionSourceFromSpec(stack, spec!.data.ingestion!.source!), alarmTopic: new sns.Topic(stack, 'Topic', { enforceSSL: true }),
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ECS::TaskDefinition', 0);
    const fn = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [INGEST_SOURCE_ENV]: Match.anyValue() } } } }));
    expect(fn).toHaveLength(1);
    const config = JSON.stringify(fn[0].Properties.Environment.Variables[INGEST_SOURCE_ENV]);
    const expected = 's3' in source ? spec!.data.ingestion!.source!.s3!.bucket : JSON.stringify(source.http.url).slice(1, -1);
    expect(config).toContain(JSON.stringify(expected).slice(1, -1));
  }), { numRuns: 12 });
});

/** One field made invalid, and the spec path its problem must be reported at. */
type Breakage = [string, (s: Record<string, any>) => Record<string, unknown>];
const S3_BREAKAGES: Breakage[] = [
  ['data.ingestion.source.s3.uri', (s) => ({ source: { s3: { ...s.s3, uri: s.s3.uri.replace(/\/$/, '/x') } } })],
  ['data.ingestion.source.s3.uri', (s) => ({ source: { s3: { ...s.s3, uri: s.s3.uri.replace('s3://', 'https://') } } })],
  ['data.ingestion.source.s3.uri', (s) => ({ source: { s3: { ...s.s3, uri: s.s3.uri.replace('s3://', 's3://UP') } } })],
  ['data.ingestion.source.s3.kmsKey', (s) => ({ source: { s3: { ...s.s3, kmsKey: 'alias/partner' } } })],
  ['data.ingestion.command', (s) => ({ source: s, command: ['python3', 'x.py'] })],
  ['data.ingestion.source', (s) => ({ source: { ...s, http: { url: 'https://x.example.com/' } } })],
];
const HTTP_BREAKAGES: Breakage[] = [
  ['data.ingestion.source.http.url', (s) => ({ source: { http: { ...s.http, url: s.http.url.replace('https://', 'http://') } } })],
  ['data.ingestion.source.http.url', (s) => ({ source: { http: { ...s.http, url: `${s.http.url}{date}` } } })],
  ['data.ingestion.source.http.url', (s) => ({ source: { http: { ...s.http, url: s.http.url.replace('https://', 'https://user:pw@') } } })],
  ['data.ingestion.source.http.secret', (s) => ({ source: { http: { ...s.http, secret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:no suffix' } } })],
  ['data.ingestion.source.http.header', (s) => ({ source: { http: { ...s.http, header: 'Bad: Header' } } })],
  ['data.ingestion.image', (s) => ({ source: s, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/i:1' })],
];

test('a source broken in one field is refused at that field, with a fix', () => {
  const broken = fc.oneof(
    fc.tuple(s3Source, fc.constantFrom(...S3_BREAKAGES)),
    fc.tuple(httpSource, fc.constantFrom(...HTTP_BREAKAGES)),
  );
  fc.assert(fc.property(broken, ([source, [path, breakIt]]) => {
    const { spec, problems } = parse(breakIt(source));
    expect(spec).toBeUndefined();
    expect(problems.map((p) => p.path)).toEqual([path]);
    expect(problems[0].fix.length).toBeGreaterThan(0);
  }), { numRuns: 400 });
});

test('placeholder values never change the scheme, host or port of a URL the loader accepts', () => {
  fc.assert(fc.property(url, fc.string(), fc.string(), fc.string(), (template, category, start, end) => {
    expect(sourceUrlProblem(template)).toBeUndefined();
    const origin = new URL(expandUrl(template, { category: 'c', start: 's', end: 'e' })).origin;
    expect(new URL(expandUrl(template, { category, start, end })).origin).toBe(origin);
  }), { numRuns: 500 });
});

// fast-check arbitraries of valid model specs (the raw YAML object a data scientist writes),
// across the whole schema: every schedule shape, TTLs from 1 h to 30 d, every mode, backend and
// serving choice, with and without peaks, rules, thresholds and manual promotion.
import fc from 'fast-check';
import { CheckLevel } from '../../lib/checks/pattern-check';
import { runPatternChecks } from '../../lib/checks/run-pattern-checks';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const schedule = fc.oneof(
  fc.record({ kind: fc.constant('hourly'), m: fc.integer({ min: 0, max: 59 }) }).map(({ m }) => `${m} * * * *`),
  fc.record({ m: fc.integer({ min: 0, max: 59 }), h: fc.integer({ min: 0, max: 23 }) }).map(({ m, h }) => `${m} ${h} * * *`),
  fc.record({ m: fc.integer({ min: 0, max: 59 }), h: fc.integer({ min: 0, max: 23 }), d: fc.constantFrom(...DAYS) }).map(({ m, h, d }) => `${m} ${h} * * ${d}`),
  fc.record({ m: fc.integer({ min: 0, max: 59 }), h: fc.integer({ min: 0, max: 23 }), dom: fc.integer({ min: 1, max: 28 }) }).map(({ m, h, dom }) => `${m} ${h} ${dom} * *`),
  fc.constantFrom('@daily', '@weekly', '@monthly', '0 2 * * MON-FRI'),
);

const ecrImage = fc.constantFrom(
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/models/demand:1.4',
  `123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn@sha256:${'b'.repeat(64)}`,
  'public.ecr.aws/docker/library/python:3.12-slim',
);

const training = fc.oneof(
  fc.record({
    image: ecrImage,
    backend: fc.constant('sagemaker'),
    instanceType: fc.constantFrom('ml.m5.large', 'ml.g5.xlarge', 'ml.c5.2xlarge'),
    instanceCount: fc.integer({ min: 1, max: 3 }),
    spot: fc.boolean(),
    maxRuntime: fc.constantFrom('30m', '1h', '4h'),
    maxWait: fc.constant('8h'),
    retries: fc.integer({ min: 0, max: 9 }),
    volumeSize: fc.constantFrom('30GiB', '100GiB'),
    hyperparameters: fc.dictionary(fc.constantFrom('window', 'lr', 'depth'), fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constantFrom('0.1', 'auto'))),
  }),
  fc.record({
    image: ecrImage,
    backend: fc.constant('batch'),
    instanceType: fc.constantFrom('g5.xlarge', 'g4dn.xlarge', 'g6.2xlarge'),
    maxVcpus: fc.integer({ min: 4, max: 256 }),
    spot: fc.boolean(),
    maxRuntime: fc.constantFrom('30m', '2h'),
    retries: fc.integer({ min: 0, max: 9 }),
    command: fc.constant(['python3', '/opt/program/train.py']),
  }),
);

const rule = (name: string) => fc.record({ name: fc.constant(name), prediction: fc.oneof(fc.integer(), fc.constant(null)) });
const rules = fc.record({
  prefilter: fc.option(fc.constant([{ name: 'blocked', when: { entityId: { prefix: 'test-' } }, prediction: null }]), { nil: undefined }),
  override: fc.option(fc.constant([{ name: 'never-negative', when: { prediction: { lt: 0 } }, prediction: 0 }]), { nil: undefined }),
  fallback: fc.option(fc.array(rule('typical'), { minLength: 1, maxLength: 1 }), { nil: undefined }),
}, { requiredKeys: [] });

const traffic = fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 2000 }))
  .map((t) => t.sort((a, b) => a - b)).map(([min, avg, max]) => ({ min, avg, max }));

const peakWindow = (max: number) => fc.record({
  start: fc.oneof(fc.constantFrom('08:00', '12:30', '23:15', '00:00'), fc.constantFrom('0 18 * * MON-FRI', '30 7 * * SAT,SUN')),
  // None ends in the hour a daylight saving change skips or repeats (Sunday 01:00-03:00 in the
  // generated zones), which the peak schedule refuses: 23:15 + 4h30m ends at 03:45.
  duration: fc.constantFrom('15m', '45m', '4h30m', '6h'),
  tps: fc.integer({ min: 1, max }),
});

/** Every client path of a service front end (`inference.access`), the default included. */
export const access = fc.oneof(
  fc.constant(undefined),
  fc.record({
    mode: fc.constant('vpc'),
    clientCidrs: fc.uniqueArray(fc.constantFrom('10.20.0.0/16', '172.16.0.0/12', '192.168.10.0/24'), { maxLength: 2 }),
    clientPrefixLists: fc.uniqueArray(fc.constantFrom('pl-0123456789abcdef0', 'pl-0fedcba9876543210'), { maxLength: 1 }),
  }),
  fc.record({ mode: fc.constant('private-link'), allowedPrincipals: fc.constantFrom(['arn:aws:iam::111122223333:root'], ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:role/predict-client']) }),
  fc.constant({
    mode: 'internet',
    certificate: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
    trustStore: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:truststore/clients/0123456789abcdef',
  }),
);

const inference = traffic.chain((tps) => fc.record({
  mode: fc.constantFrom('batch', 'online', 'both'),
  serving: fc.constantFrom(undefined, 'service', 'api', 'none'),
  ttlHours: fc.integer({ min: 1, max: 30 * 24 }),
  tps: fc.constant(tps),
  peakWindows: fc.array(peakWindow(tps.max), { maxLength: 2 }),
  rules,
  access,
})).map(({ mode, serving, ttlHours, access: clientPath, ...rest }) => ({
  mode,
  // `none` serves nothing, so only batch models may declare it.
  serving: serving === 'none' && mode !== 'batch' ? undefined : serving,
  ttl: `${ttlHours}h`,
  // Client paths apply to a declared service front end only.
  ...(serving === 'service' && clientPath ? { access: clientPath } : {}),
  ...rest,
}));

const evaluation = fc.record({
  metric: fc.constantFrom('rmse', 'auc', 'wape'),
  promotion: fc.constantFrom('auto', 'manual', 'none'),
  threshold: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  approvalTimeout: fc.constantFrom('1d', '3d'),
});

/** A raw spec object (as parsed from YAML), named `name`. */
export const rawSpec = (name: string) => fc.record({
  schedule: fc.record({ cron: schedule, timeZone: fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York'), enabled: fc.integer({ min: 0, max: 9 }).map((n) => n > 0) }),
  categories: fc.uniqueArray(fc.constantFrom('books', 'toys', 'food', 'garden', 'default'), { minLength: 1, maxLength: 4 }),
  training,
  evaluation,
  inference,
}).map((r) => ({ name, description: `${name} (generated)`, owner: 'ds@example.com', ...r }));

/**
 * The spec the loader resolves from `raw`, with every error-level pattern-check finding
 * acknowledged (a documented policy outcome, e.g. a TTL shorter than a weekly gap), so what is
 * left to test is whether the platform builds it. Throws with the problems when the loader
 * rejects it: the generator only produces specs inside the schema.
 */
export function acceptedSpec(raw: Record<string, unknown>): ModelSpec {
  const first = parseModelSpecObject(raw, { file: `models/${String(raw.name)}/model.yaml` });
  if (!first.spec) throw new Error(`the loader rejected a generated spec: ${JSON.stringify(first.problems)}\n${JSON.stringify(raw)}`);
  const errors = runPatternChecks([first.spec]).filter((f) => f.level === CheckLevel.ERROR);
  if (errors.length === 0) return first.spec;
  const acknowledge = [...new Set(errors.map((f) => f.id))].map((id) => ({ id, reason: 'accepted for this generated model on purpose' }));
  const second = parseModelSpecObject({ ...raw, acknowledge }, { file: `models/${String(raw.name)}/model.yaml` });
  if (!second.spec) throw new Error(`the loader rejected an acknowledged spec: ${JSON.stringify(second.problems)}`);
  return second.spec;
}

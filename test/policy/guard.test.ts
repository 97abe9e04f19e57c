// Issue 13 §2: the cfn-guard Control Tower rules (@cdklabs/cdk-validator-cfnguard, which ships
// the cfn-guard binary) on the default app, a two-model app (Batch + SageMaker, manual
// promotion, an API front end) and the pipeline app. A finding is acknowledged when its resource
// lists the rule in `Metadata.guard.SuppressedRules` (lib/common/guard.ts, with the reason
// beside it); every other finding fails the test, unless it is in test/policy/guard-baseline.json
// (what is still open, rule and resource path; UPDATE_GUARD_BASELINE=1 rewrites it), so a new
// finding fails while the open ones are worked off.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { GUARD_REASONS_METADATA, GuardFindings, acknowledgeGuard, guardAcknowledgements } from '../../lib/common/guard';
import { testApp } from '../support/cdk';
import { sharedAssembly } from '../support/synth-cache';
import { APPS } from './apps';
import { GuardRule, guardResults, ruleFiles, rulesFor, runGuard } from './guard-run';

describe('acknowledgeGuard', () => {
  test('lists the rule in Metadata.guard.SuppressedRules and the reason beside it, once per rule', () => {
    const stack = new Stack(testApp(), 'S');
    const bucket = new s3.Bucket(stack, 'Logs');
    acknowledgeGuard(bucket, GuardFindings.accessLogBucketLogging(), GuardFindings.logBucketEvents());
    acknowledgeGuard(bucket, GuardFindings.accessLogBucketLogging());
    const cfn = bucket.node.defaultChild as CfnResource;
    (cfn.cfnOptions.metadata as Record<string, unknown>).other = 'kept';
    acknowledgeGuard(bucket, GuardFindings.loadBalancerLogBucketEncryption());
    const template = testTemplate(stack);
    const logicalId = stack.getLogicalId(cfn);
    expect(template.Resources[logicalId].Metadata.guard.SuppressedRules).toEqual(['s3_bucket_logging_enabled_check', 's3_event_notifications_enabled_check', 's3_bucket_default_encryption_kms_check']);
    expect(template.Resources[logicalId].Metadata.other).toBe('kept');
    expect(guardAcknowledgements(template).map((r) => [r.resource, r.type, r.control])).toEqual([
      [logicalId, 'AWS::S3::Bucket', 'CT.S3.PR.2'], [logicalId, 'AWS::S3::Bucket', 'CT.S3.PR.4'], [logicalId, 'AWS::S3::Bucket', 'CT.S3.PR.10'],
    ]);
    expect(guardAcknowledgements(template).every((r) => r.reason.length > 40)).toBe(true);
  });

  test('refuses a construct without a CloudFormation resource, naming it and the fix', () => {
    const stack = new Stack(testApp(), 'S');
    expect(() => acknowledgeGuard(new Construct(stack, 'Group'), GuardFindings.logBucketEvents()))
      .toThrow('S/Group has no CloudFormation resource to carry cfn-guard acknowledgements: acknowledge on the resource (or its L2 construct) instead');
  });
});

function testTemplate(stack: Stack): any {
  return Template.fromStack(stack).toJSON();
}

// --- the Control Tower rules, run by the binary the validator package ships --------------------

const BASELINE = join(__dirname, 'guard-baseline.json');

interface OpenFinding { readonly app: string; readonly rule: string; readonly path: string }

/** Synthesizes `build`'s app into a test App. */
function synthesized(build: (app: App) => void): CloudAssembly {
  const app = testApp();
  build(app);
  return app.synth();
}

/** The templates of a synthesized app, nested stage assemblies included. */
function templatesOf(assembly: CloudAssembly): string[] {
  const templates = findTemplates(assembly.directory);
  expect(templates.length).toBeGreaterThan(0);
  return templates;
}

/** The findings of a cfn-guard run on an app's templates that no resource acknowledges. */
function unacknowledged(appName: string, templates: string[], results: Map<string, GuardRule[]>): OpenFinding[] {
  const open: OpenFinding[] = [];
  for (const file of templates) {
    const template = JSON.parse(readFileSync(file, 'utf8'));
    for (const rule of results.get(file)!) {
      // A rule's result names each failing resource in the paths it traversed (/Resources/<id>/...).
      const ids = new Set([...JSON.stringify(rule).matchAll(/"\/Resources\/([^/"]+)/g)].map((m) => m[1]));
      for (const id of ids) {
        const suppressed: string[] = template.Resources?.[id]?.Metadata?.guard?.SuppressedRules ?? [];
        if (!suppressed.includes(rule.name)) open.push({ app: appName, rule: rule.name, path: `${basename(file, '.template.json')}/${id}` });
      }
    }
  }
  return open;
}

function findTemplates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name.startsWith('assembly-') ? findTemplates(p) : [];
    return e.name.endsWith('.template.json') ? [p] : [];
  });
}

function plainBucketApp(acknowledge: boolean): CloudAssembly {
  return synthesized((app) => {
    const bucket = new s3.Bucket(new Stack(app, 'Plain'), 'Logs');
    if (acknowledge) acknowledgeGuard(bucket, GuardFindings.accessLogBucketLogging());
  });
}

test('the cfn-guard run reports a failing resource, and leaves it out once acknowledged', async () => {
  const logging = (f: OpenFinding) => f.rule === 's3_bucket_logging_enabled_check';
  for (const [acknowledge, expected] of [[false, [expect.stringMatching(/^Plain\/Logs[0-9A-F]{8}$/)]], [true, []]] as const) {
    const templates = templatesOf(plainBucketApp(acknowledge));
    const open = unacknowledged('plain', templates, await guardResults(templates));
    expect(open.filter(logging).map((f) => f.path)).toEqual(expected);
  }
}, 120_000);

test('running only the rule files that name a template\'s resource types reports what the whole rules folder reports', async () => {
  const [template] = templatesOf(plainBucketApp(false));
  const all = ruleFiles();
  const selected = rulesFor(new Set(['AWS::S3::Bucket']), all);
  expect(selected.length).toBeGreaterThan(0);
  expect(selected.length).toBeLessThan(all.length);
  const byName = (rules: GuardRule[]) => [...rules].sort((a, b) => a.name.localeCompare(b.name));
  const everyRule = byName(await runGuard(template, all.map((r) => r.file)));
  expect(everyRule.map((r) => r.name)).toContain('s3_bucket_logging_enabled_check');
  expect(byName((await guardResults([template])).get(template)!)).toEqual(everyRule);
}, 120_000);

// Each app is synthesized once per jest run, shared with guard-readme.test.ts.
const assemblyOf = (name: string) => sharedAssembly(`guard ${name}`, APPS.find(([n]) => n === name)![1]);

describe('Control Tower rules (cfn-guard)', () => {
  let unique: string[] = [];
  let baseline: string[] = [];
  beforeAll(async () => {
    // One run over the templates of all three apps, so a stack that two apps share is checked once.
    const templates = APPS.map(([name]) => [name, templatesOf(assemblyOf(name))] as const);
    const results = await guardResults(templates.flatMap(([, t]) => t));
    const open = templates.flatMap(([name, t]) => unacknowledged(name, t, results));
    unique = [...new Set(open.map((f) => `${f.app} | ${f.rule} | ${f.path}`))].sort();
    if (process.env.UPDATE_GUARD_BASELINE) writeFileSync(BASELINE, `${JSON.stringify(unique, null, 2)}\n`);
    baseline = existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, 'utf8')) : [];
  }, 10 * 60_000);

  test('no finding beyond the acknowledged ones and the recorded baseline (UPDATE_GUARD_BASELINE=1 records a shrunk baseline)', () => {
    expect(unique.filter((k) => !baseline.includes(k))).toEqual([]);
  });

  test('the baseline holds no finding that is gone (keep it shrinking)', () => {
    expect(baseline.filter((k) => !unique.includes(k))).toEqual([]);
  });

});

test('the two-model app carries its acknowledgements, each with its reason, in the metadata the README table reads', () => {
  const assembly = assemblyOf(APPS[1][0]);
  const rows = assembly.stacks.flatMap((s) => guardAcknowledgements(s.template));
  expect(rows.map((r) => r.control)).toContain('CT.ELASTICLOADBALANCING.PR.1');
  for (const r of rows) expect([r.rule, r.reason.length > 40]).toEqual([r.rule, true]);
  for (const s of assembly.stacks) {
    for (const r of Object.values<any>(s.template.Resources)) {
      const reasons = (r.Metadata?.[GUARD_REASONS_METADATA] ?? []).map((a: { rule: string }) => a.rule);
      expect(r.Metadata?.guard?.SuppressedRules ?? []).toEqual(reasons);
    }
  }
});

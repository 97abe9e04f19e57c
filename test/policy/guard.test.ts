// Issue 13 §2: the cfn-guard Control Tower rules (@cdklabs/cdk-validator-cfnguard, which ships
// the cfn-guard binary) on the default app, a two-model app (Batch + SageMaker, manual
// promotion, an API front end) and the pipeline app. A finding is acknowledged when its resource
// lists the rule in `Metadata.guard.SuppressedRules` (lib/common/guard.ts, with the reason
// beside it); every other finding fails the test, unless it is in test/policy/guard-baseline.json
// (what is still open, rule and resource path; UPDATE_GUARD_BASELINE=1 rewrites it), so a new
// finding fails while the open ones are worked off.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GUARD_REASONS_METADATA, GuardFindings, acknowledgeGuard, guardAcknowledgements } from '../../lib/common/guard';
import { testApp } from '../support/cdk';
import { APPS } from './apps';

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
const GUARD_PACKAGE_DIR = dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
const CONTROL_TOWER_RULES = join(GUARD_PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');
// Where the package keeps the binary for this machine (its plugin's own lookup is private).
const GUARD_BINARY = join(GUARD_PACKAGE_DIR, 'bin', platform() === 'darwin' ? 'macos' : 'ubuntu', arch() === 'arm64' ? 'aarch64' : 'x86_64', 'cfn-guard');

interface OpenFinding { readonly app: string; readonly rule: string; readonly path: string }

/**
 * Synthesizes `build`'s app once and runs the Control Tower rules on all its templates (nested
 * stage assemblies included) in one cfn-guard invocation; returns the findings no resource acknowledges.
 */
function unacknowledged(appName: string, build: (app: App) => void): OpenFinding[] {
  const app = testApp();
  build(app);
  app.synth();
  const templates = findTemplates(app.outdir);
  expect(templates.length).toBeGreaterThan(0);
  const run = spawnSync(GUARD_BINARY, ['validate', '--rules', CONTROL_TOWER_RULES, ...templates.flatMap((t) => ['--data', t]),
    '--output-format', 'json', '--show-summary', 'none', '--structured'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  // Exit 19 means "some rule failed"; anything else but 0 is a broken run, not a result.
  if (run.status !== 0 && run.status !== 19) throw new Error(`cfn-guard exited ${run.status}: ${run.stderr}`);
  const results: Array<{ name: string; not_compliant?: Array<{ Rule: { name: string } }> }> = JSON.parse(run.stdout);
  expect(results.map((r) => r.name).sort()).toEqual([...templates].sort());
  const open: OpenFinding[] = [];
  for (const result of results) {
    const template = JSON.parse(readFileSync(result.name, 'utf8'));
    for (const { Rule: rule } of result.not_compliant ?? []) {
      // A rule's result names each failing resource in the paths it traversed (/Resources/<id>/...).
      const ids = new Set([...JSON.stringify(rule).matchAll(/"\/Resources\/([^/"]+)/g)].map((m) => m[1]));
      for (const id of ids) {
        const suppressed: string[] = template.Resources?.[id]?.Metadata?.guard?.SuppressedRules ?? [];
        if (!suppressed.includes(rule.name)) open.push({ app: appName, rule: rule.name, path: `${basename(result.name, '.template.json')}/${id}` });
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

test('the cfn-guard run reports a failing resource, and leaves it out once acknowledged', () => {
  const build = (acknowledge: boolean) => (app: App) => {
    const bucket = new s3.Bucket(new Stack(app, 'Plain'), 'Logs');
    if (acknowledge) acknowledgeGuard(bucket, GuardFindings.accessLogBucketLogging());
  };
  const logging = (f: OpenFinding) => f.rule === 's3_bucket_logging_enabled_check';
  expect(unacknowledged('plain', build(false)).filter(logging).map((f) => f.path)).toEqual([expect.stringMatching(/^Plain\/Logs[0-9A-F]{8}$/)]);
  expect(unacknowledged('plain', build(true)).filter(logging)).toEqual([]);
}, 120_000);

describe('Control Tower rules (cfn-guard)', () => {
  let unique: string[] = [];
  let baseline: string[] = [];
  beforeAll(() => {
    const open = APPS.flatMap(([name, build]) => unacknowledged(name, build));
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
  const app = testApp();
  APPS[1][1](app);
  const rows = app.synth().stacks.flatMap((s) => guardAcknowledgements(s.template));
  expect(rows.map((r) => r.control)).toContain('CT.ELASTICLOADBALANCING.PR.1');
  for (const r of rows) expect([r.rule, r.reason.length > 40]).toEqual([r.rule, true]);
  for (const s of app.synth().stacks) {
    for (const r of Object.values<any>(s.template.Resources)) {
      const reasons = (r.Metadata?.[GUARD_REASONS_METADATA] ?? []).map((a: { rule: string }) => a.rule);
      expect(r.Metadata?.guard?.SuppressedRules ?? []).toEqual(reasons);
    }
  }
});

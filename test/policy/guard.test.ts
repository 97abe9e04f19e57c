// Issue 13 §2: the cfn-guard Control Tower rules (@cdklabs/cdk-validator-cfnguard, which ships
// the cfn-guard binary) on the default app, a two-model app (Batch + SageMaker, manual
// promotion, an API front end) and the pipeline app. A finding is acknowledged when its resource
// lists the rule in `Metadata.guard.SuppressedRules` (lib/common/guard.ts, with the reason
// beside it); every other finding fails the test, unless it is in test/policy/guard-baseline.json
// (what is still open, rule and resource path; UPDATE_GUARD_BASELINE=1 rewrites it), so a new
// finding fails while the open ones are worked off.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
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

interface OpenFinding { readonly app: string; readonly rule: string; readonly path: string }

/** Synthesizes `build`'s app with the Control Tower rules and returns its findings that no resource acknowledges. */
function unacknowledged(appName: string, build: (app: App) => void): OpenFinding[] {
  const app = testApp();
  build(app);
  const stages = [app, ...app.node.findAll().filter((c): c is Stage => c !== app && Stage.isStage(c))];
  for (const stage of stages) Validations.of(stage).addPlugins(new CfnGuardValidator());
  try {
    app.synth();
  } catch (e) {
    if (!/validation/i.test(String((e as Error).name) + String((e as Error).message))) throw e;
  }
  const open: OpenFinding[] = [];
  for (const report of findReports(app.outdir)) {
    for (const plugin of report.pluginReports ?? []) {
      for (const v of plugin.violations ?? []) {
        for (const r of v.violatingResources ?? []) {
          const template = JSON.parse(readFileSync(r.templatePath, 'utf8'));
          const resource = template.Resources?.[r.resourceLogicalId];
          const suppressed: string[] = resource?.Metadata?.guard?.SuppressedRules ?? [];
          if (suppressed.includes(v.ruleName)) continue;
          const path = resource?.Metadata?.['aws:cdk:path'] ?? `${r.templatePath.split('/').pop()}#${r.resourceLogicalId}`;
          open.push({ app: appName, rule: v.ruleName, path: String(path) });
        }
      }
    }
  }
  return open;
}

function findReports(dir: string): any[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return findReports(p);
    return e.name.endsWith('validation-report.json') ? [JSON.parse(readFileSync(p, 'utf8'))] : [];
  });
}

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

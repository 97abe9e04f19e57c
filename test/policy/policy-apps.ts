// The three apps every policy pack is held to (issue 13, section 2), each synthesized once with
// all four cdk-nag packs on the app and on every stage inside it: the default app (bin/app.ts:
// the platform stack and a stack per spec of models/), a two-model app (GPU Batch and SageMaker
// training, manual promotion, an HTTP API front end) and the pipeline app (bin/pipeline.ts: a
// tools-account pipeline deploying the platform to three environments).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { addPolicyPacks } from '../../bin/policy-packs';
import { MlopsDeliveryPipeline } from '../../lib/delivery/mlops-delivery-pipeline';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { loadModelSpecs, parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { modelCopy } from '../../bench/synth/model-copies';
import { CONNECTION, ROOT, STAGES, TOOLS } from '../delivery/fixtures';
import { testApp } from '../support/cdk';

/** One finding of one pack: the rule, the construct path, and whether it was acknowledged. */
export interface PackFinding {
  readonly pack: string;
  readonly rule: string;
  readonly path: string;
  readonly acknowledged: boolean;
  readonly reason?: string;
}

function accepted(raw: Record<string, any>): ModelSpec {
  const { spec, problems } = parseModelSpecObject(raw, { file: `models/${raw.name}/model.yaml` });
  if (!spec) throw new Error(`${raw.name} is not a valid spec: ${JSON.stringify(problems)}`);
  return spec;
}

/** GPU Batch training with an ALB front end, and SageMaker training with an HTTP API; both promoted by hand. */
export function twoModelSpecs(): ModelSpec[] {
  return [modelCopy(3), modelCopy(1)].map((raw) => accepted({ ...raw, evaluation: { ...raw.evaluation, promotion: 'manual' } }));
}

export const APPS: Record<string, (app: App) => void> = {
  default: (app) => { new MlopsPlatformStacks(app, { models: loadModelSpecs(join(ROOT, 'models')) }); },
  'two-model': (app) => { new MlopsPlatformStacks(app, { models: twoModelSpecs(), alarmEmails: ['ml-team@example.com'] }); },
  pipeline: (app) => {
    const tools = new Stack(app, 'MlopsDelivery', { env: TOOLS });
    new MlopsDeliveryPipeline(tools, 'Pipeline', {
      source: { codeConnection: CONNECTION },
      stages: STAGES,
      platform: { models: loadModelSpecs(join(ROOT, 'models')), alarmEmails: ['ml-team@example.com'] },
    });
  },
};

/** Every finding of one synth: those left for the report, and those acknowledged (with the reason). */
export interface AppFindings {
  readonly open: PackFinding[];
  readonly acknowledged: PackFinding[];
}

const PACK_OF_RULE = /^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|Serverless)-/;

/** The acknowledgement of `ruleId` that cdk-nag finds on `node` or an ancestor (its own lookup). */
function acknowledgementOf(node: IConstruct, ruleId: string): string | undefined {
  for (let c: IConstruct | undefined = node; c; c = c.node.scope) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) if (id.replace(/^annotation::/i, '') === ruleId) return reason;
    }
  }
  return undefined;
}

/**
 * Synthesizes one app with every pack and returns its findings. cdk-nag drops acknowledged
 * findings before the report; its acknowledgement lookup (NagPack#isAcknowledged) is wrapped for
 * this synth to record them.
 */
export function synthWithAllPacks(build: (app: App) => void): AppFindings {
  const app = testApp();
  build(app);
  addPolicyPacks(app, 'all');
  const acknowledged: PackFinding[] = [];
  const proto = NagPack.prototype as unknown as { isAcknowledged: (node: CfnResource, ruleId: string) => boolean };
  const original = proto.isAcknowledged;
  proto.isAcknowledged = (node, ruleId) => {
    const reason = acknowledgementOf(node, ruleId);
    if (reason !== undefined) acknowledged.push({ pack: PACK_OF_RULE.exec(ruleId)?.[1] ?? '', rule: ruleId, path: node.node.path, acknowledged: true, reason });
    return reason !== undefined;
  };
  try {
    app.synth();
  } catch (e) {
    if (!/validation/i.test(`${(e as Error).name} ${(e as Error).message}`)) throw e;
  } finally {
    proto.isAcknowledged = original;
  }
  const open = readdirSync(app.outdir).filter((f) => f.endsWith('validation-report.json'))
    .flatMap((f) => findingsOf(JSON.parse(readFileSync(join(app.outdir, f), 'utf8'))));
  return { open: unique(open), acknowledged: unique(acknowledged) };
}

/** A stage's findings appear in its own report and the app's: count each (rule, resource) once. */
function unique(findings: PackFinding[]): PackFinding[] {
  const seen = new Map<string, PackFinding>();
  for (const f of findings) seen.set(`${f.rule}|${f.path}`, f);
  return [...seen.values()];
}

function findingsOf(report: any): PackFinding[] {
  const out: PackFinding[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      for (const c of v.violatingConstructs ?? []) out.push({ pack: plugin.pluginName, rule: v.ruleName, path: c.constructPath, acknowledged: false });
    }
  }
  return out;
}

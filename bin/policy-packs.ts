// The cdk-nag packs an app runs at synth, chosen by MLOPS_POLICY_PACKS (the delivery pipeline's
// synth step sets it to `all`): unset runs AwsSolutions, `all` every pack the platform is held
// to (the four standard packs and the library's own MlopsChecks), or a comma-separated list of
// pack names. Each pack checks the app's own stacks and those of every stage inside it (a
// delivery pipeline's environments). Kept in bin/: which packs run is the app's choice.
import { App, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, NagPack, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { MlopsChecks } from '../lib/checks/nag';
import { MlopsDeliveryPipeline } from '../lib/delivery/mlops-delivery-pipeline';

const PACKS: Record<string, (scope: IConstruct) => NagPack> = {
  AwsSolutions: (s) => new AwsSolutionsChecks(s),
  NIST80053R5: (s) => new NIST80053R5Checks(s),
  HIPAASecurity: (s) => new HIPAASecurityChecks(s),
  Serverless: (s) => new ServerlessChecks(s),
  Mlops: (s) => new MlopsChecks(s),
};

/** A value of MLOPS_POLICY_PACKS the app cannot use. */
export class PolicyPackError extends Error {}

/** The pack names a value of MLOPS_POLICY_PACKS selects. */
export function policyPackNames(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return ['AwsSolutions'];
  if (value.trim().toLowerCase() === 'all') return Object.keys(PACKS);
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in PACKS));
  if (unknown.length || names.length === 0) {
    throw new PolicyPackError(`MLOPS_POLICY_PACKS=${value} names ${unknown.map((n) => JSON.stringify(n)).join(', ') || 'no pack'}.\nfix: use "all", or a comma-separated list of ${Object.keys(PACKS).join(', ')}`);
  }
  return [...new Set(names)];
}

/** Adds the packs MLOPS_POLICY_PACKS selects (or `value`) to the app and to every stage in it. */
export function addPolicyPacks(app: App, value: string | undefined = process.env[MlopsDeliveryPipeline.POLICY_PACKS_ENV]): void {
  const names = policyPackNames(value);
  const stages = [app, ...app.node.findAll().filter((c): c is Stage => c !== app && Stage.isStage(c))];
  for (const stage of stages) Validations.of(stage).addPlugins(...names.map((n) => PACKS[n](stage)));
}

// The apps the MlopsChecks pack is run on: the default app (bin/app.ts's layout over models/)
// and a two-model app (Batch + SageMaker, manual promotion, the API front end), with the
// findings the pack reports on them.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addPolicyPacks } from '../../../bin/policy-packs';
import { MlopsPlatformStacks } from '../../../lib/platform/mlops-platform-stacks';
import { loadModelSpecs } from '../../../lib/spec/load-model-spec';
import { testApp } from '../../support/cdk';

const ROOT = join(__dirname, '..', '..', '..');

/** The default app: the platform stack and one stack per spec under models/. */
export function defaultApp(): App {
  const app = testApp();
  new MlopsPlatformStacks(app, { models: loadModelSpecs(join(ROOT, 'models')) });
  return app;
}

/** Two models: churn (Batch GPU training, manual promotion) and demand-api (SageMaker, manual promotion, HTTP API). */
export function twoModelApp(): App {
  const app = testApp();
  new MlopsPlatformStacks(app, { models: loadModelSpecs(join(__dirname, 'fixtures', 'models')) });
  return app;
}

/**
 * Synthesizes a built app with the packs (MLOPS_POLICY_PACKS syntax, on the app and every stage
 * in it, as bin/ does) and returns its unacknowledged findings (see synthFindings).
 */
export function packFindings(app: App, packs = 'Mlops'): string[] {
  addPolicyPacks(app, packs);
  return synthFindings(app);
}

/** Synthesizes an app that has its packs and returns each unacknowledged finding as `<rule id> <construct path>`, sorted. */
export function synthFindings(app: App): string[] {
  try {
    app.synth();
  } catch (e) {
    if (!/validation/i.test(`${(e as Error).name} ${(e as Error).message}`)) throw e;
  }
  const findings: string[] = [];
  const reports = readdirSync(app.outdir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('validation-report.json'));
  for (const file of reports) {
    const report = JSON.parse(readFileSync(join(app.outdir, file), 'utf8')) as { pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs?: Array<{ constructPath: string }>; violatingResources?: Array<{ constructPath: string }> }> }> };
    for (const violation of report.pluginReports.flatMap((r) => r.violations)) {
      for (const v of violation.violatingConstructs ?? violation.violatingResources ?? []) findings.push(`${violation.ruleName} ${v.constructPath}`);
    }
  }
  return [...new Set(findings)].sort();
}

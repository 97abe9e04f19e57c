// The synthesized templates local mode runs: the default app (a platform stack plus one stack per
// model spec, as bin/app.ts composes it) synthesized in-process, or a cloud assembly already on
// disk (cdk.out). Policy packs and CloudFormation's built-in validation are left out: they check
// the templates, they do not change them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { formatSpecReport, reportErrors, validateModelSpecs } from '../../lib/checks/spec-report';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { PARAMETERS } from '../../lambda/shared/contract';

/** A CloudFormation template (the parts local mode reads). */
export interface CfnTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly Parameters?: Record<string, { Type: string; Default?: string }>;
}

export interface StackTemplate {
  readonly stackName: string;
  readonly template: CfnTemplate;
}

export interface PlatformAssembly {
  /** The platform's name (its SSM parameters live under `/cdk-mlops/<platform>/`). */
  readonly platform: string;
  /** The stack holding the registry, the data lake and the predictions table. */
  readonly platformStack: StackTemplate;
  /** Each model's stack, by model name. */
  readonly models: Record<string, StackTemplate>;
}

/** Synthesizes the default app for the specs in `modelsDir` into `outdir` and reads it back. */
export function synthDefaultApp(opts: { modelsDir: string; outdir: string }): PlatformAssembly {
  const report = validateModelSpecs(opts.modelsDir);
  if (reportErrors(report) > 0) {
    throw new Error(`the model specs in ${opts.modelsDir} have errors; nothing was synthesized:\n${formatSpecReport(report, process.cwd())}`);
  }
  const app = new App({ outdir: opts.outdir, builtinCloudFormationValidation: false });
  new MlopsPlatformStacks(app, { models: [...report.specs] });
  app.synth();
  return readAssembly(opts.outdir);
}

/** Reads the platform and model stacks of a cloud assembly folder (e.g. cdk.out). */
export function readAssembly(dir: string, platform: string = PARAMETERS.defaultPlatform): PlatformAssembly {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }> };
  const stacks: StackTemplate[] = Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map(([stackName, a]) => ({ stackName, template: JSON.parse(readFileSync(join(dir, a.properties!.templateFile!), 'utf8')) as CfnTemplate }));
  const parameterNames = (s: StackTemplate) => Object.values(s.template.Resources)
    .filter((r) => r.Type === 'AWS::SSM::Parameter').map((r) => r.Properties?.Name as unknown).filter((n): n is string => typeof n === 'string');
  const platformStack = stacks.find((s) => parameterNames(s).includes(PARAMETERS.registryTable(platform)));
  if (!platformStack) {
    throw new Error(`no stack in ${dir} publishes ${PARAMETERS.registryTable(platform)}: synthesize the platform "${platform}" (npx cdk synth), or name the platform it was synthesized for`);
  }
  const models: Record<string, StackTemplate> = {};
  const modelParameter = new RegExp(`^${PARAMETERS.root(platform).replace(/[/-]/g, '\\$&')}models/([^/]+)/training-state-machine-arn$`);
  for (const s of stacks) {
    for (const name of parameterNames(s)) {
      const m = modelParameter.exec(name);
      if (m) models[m[1]] = s;
    }
  }
  return { platform, platformStack, models };
}

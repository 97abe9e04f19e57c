#!/usr/bin/env node
// The default cdk-mlops app: one env-agnostic platform stack (MlopsPlatformStack) and one stack
// per model spec under models/ (MlopsPlatformStack-<model>; MLOPS_MODELS_DIR overrides the
// folder), every stack checked by cdk-nag at synth (AwsSolutions; MLOPS_POLICY_PACKS=all adds NIST 800-53 R5,
// HIPAA and Serverless, see bin/policy-packs.ts). A broken spec is
// the data scientist's everyday mistake, not a crash: the report `mlops validate` prints (every
// spec problem, construct precondition and pattern-check finding, in one pass) goes to stderr
// and the app exits 1 before building anything, without a Node stack trace after it.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { formatSpecReport, reportErrors, validateModelSpecs } from '../lib/checks/spec-report';
import { MlopsPlatformStacks } from '../lib/platform/mlops-platform-stacks';
import { ModelSpec } from '../lib/spec/model-spec';
import { MODELS_DIR_ENV } from '../lib/spec/models-dir';
import { PolicyPackError, addPolicyPacks } from './policy-packs';

/** A problem the user fixes in their specs or environment, reported without a stack trace. */
class AppInputError extends Error {}

function modelsDir(): string {
  const fromEnv = process.env[MODELS_DIR_ENV];
  const dir = fromEnv ?? join(__dirname, '..', '..', 'models');
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new AppInputError(fromEnv !== undefined
      ? `MLOPS_MODELS_DIR=${fromEnv} is not a folder (resolved: ${resolve(fromEnv)}).\nfix: point MLOPS_MODELS_DIR at the folder that holds <model>/model.yaml, or unset it to use models/`
      : `the models folder ${dir} does not exist.\nfix: create models/<model>/model.yaml, or set MLOPS_MODELS_DIR to the folder that holds the specs`);
  }
  return dir;
}

/** The specs, once the report has no error; the report (warnings too) goes to stderr. */
function validatedSpecs(dir: string): readonly ModelSpec[] {
  const report = validateModelSpecs(dir);
  const errors = reportErrors(report);
  if (report.problems.length + report.findings.length > 0) process.stderr.write(`${formatSpecReport(report, process.cwd())}\n`);
  if (errors > 0) throw new AppInputError(`${errors} error(s) in the model specs; nothing was synthesized (mlops validate shows the same report)`);
  return report.specs;
}

try {
  const models = validatedSpecs(modelsDir());
  const app = new App();
  new MlopsPlatformStacks(app, {
    stackProps: { description: 'cdk-mlops: data lake, model registry, predictions store, monitoring topic and network shared by the models' },
    models: [...models],
    alarmEmails: process.env.MLOPS_ALARM_EMAIL ? process.env.MLOPS_ALARM_EMAIL.split(',') : undefined,
  });
  addPolicyPacks(app);
  app.synth();
} catch (e) {
  if (!(e instanceof AppInputError || e instanceof PolicyPackError)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  process.exitCode = 1;
}

#!/usr/bin/env node
// The default cdk-mlops app: one env-agnostic MlopsPlatformStack with every model spec under
// models/ (MLOPS_MODELS_DIR overrides the folder), checked by cdk-nag at synth.
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MlopsPlatformStack } from '../lib/platform/mlops-platform-stack';
import { loadModelSpecs } from '../lib/spec/load-model-spec';

const app = new App();
const modelsDir = process.env.MLOPS_MODELS_DIR ?? join(__dirname, '..', '..', 'models');
new MlopsPlatformStack(app, 'MlopsPlatformStack', {
  description: 'cdk-mlops: data lake, model registry, training pipelines, serving and monitoring',
  models: loadModelSpecs(modelsDir),
  alarmEmails: process.env.MLOPS_ALARM_EMAIL ? process.env.MLOPS_ALARM_EMAIL.split(',') : undefined,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

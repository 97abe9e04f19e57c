#!/usr/bin/env node
// The default cdk-mlops app: one env-agnostic MlopsPlatformStack, checked by cdk-nag at synth.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MlopsPlatformStack } from '../lib/platform/mlops-platform-stack';

const app = new App();
new MlopsPlatformStack(app, 'MlopsPlatformStack', {
  description: 'cdk-mlops: data lake, model registry, training pipelines, serving and monitoring',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

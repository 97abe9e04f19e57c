#!/usr/bin/env node
// The delivery pipeline of this repository (MLOps level 2): a tools-account stack with
// MlopsDeliveryPipeline deploying the platform of models/ to each environment in order.
//   npx cdk synth --app "node dist/bin/pipeline.js"      (cdk deploy the same way, once)
// Where it runs and deploys is read from the JSON file named by MLOPS_DELIVERY_CONFIG
// (default: delivery.json in the working directory):
//   { "tools": { "account": "111111111111", "region": "eu-west-1" },
//     "source": { "connectionArn": "arn:aws:codeconnections:...", "repository": "acme/ml-platform", "branch": "main" },
//              or { "bucketName": "acme-releases", "objectKey": "releases/ml-platform.zip" } (air-gapped),
//     "stages": [ { "name": "dev", "account": "222222222222", "region": "eu-west-1" }, ..., { "name": "prod", ... } ],
//     "alarmEmails": ["ml-team@example.com"] }
// Policy packs as in bin/app.ts (MLOPS_POLICY_PACKS; the pipeline's synth sets `all`). Input
// problems go to stderr with the fix, and the app exits 1.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MlopsDeliveryPipeline } from '../lib/delivery/mlops-delivery-pipeline';
import { DeliveryPropsError } from '../lib/delivery/delivery-props-error';
import { DeliverySourceProps } from '../lib/delivery/delivery-source';
import { ModelSpecError, loadModelSpecs } from '../lib/spec/load-model-spec';
import { PolicyPackError, addPolicyPacks } from './policy-packs';

/** A problem in the delivery configuration, reported without a stack trace. */
class DeliveryConfigError extends Error {}

interface DeliveryConfig {
  readonly tools: { readonly account: string; readonly region: string };
  readonly source: { readonly connectionArn?: string; readonly repository?: string; readonly branch?: string; readonly bucketName?: string; readonly objectKey?: string };
  readonly stages: Array<{ readonly name: string; readonly account: string; readonly region: string; readonly requireApproval?: boolean }>;
  readonly alarmEmails?: string[];
}

function readConfig(): DeliveryConfig {
  const file = resolve(process.env.MLOPS_DELIVERY_CONFIG ?? 'delivery.json');
  let config: Partial<DeliveryConfig>;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DeliveryConfigError(`the delivery configuration ${file} cannot be read (${(e as Error).message}).\nfix: write it as shown at the top of bin/pipeline.ts, or point MLOPS_DELIVERY_CONFIG at it`);
  }
  for (const field of ['tools', 'source', 'stages'] as const) {
    if (typeof config[field] !== 'object' || config[field] === null) {
      throw new DeliveryConfigError(`${file}: "${field}" is ${JSON.stringify(config[field])}.\nfix: give "${field}" as shown at the top of bin/pipeline.ts`);
    }
  }
  if (!Array.isArray(config.stages)) throw new DeliveryConfigError(`${file}: "stages" must be a list of { name, account, region }.\nfix: list the environments in deploy order`);
  return config as DeliveryConfig;
}

function source(stack: Stack, s: DeliveryConfig['source']): DeliverySourceProps {
  if (s.bucketName !== undefined) {
    return { s3Archive: { bucket: s3.Bucket.fromBucketName(stack, 'SourceBucket', s.bucketName), objectKey: s.objectKey ?? '' } };
  }
  return { codeConnection: { connectionArn: s.connectionArn ?? '', repository: s.repository ?? '', branch: s.branch } };
}

try {
  const config = readConfig();
  // Synthesized explicitly below: never on exit after an input error (an empty, half-built app).
  const app = new App({ autoSynth: false });
  const tools = new Stack(app, 'MlopsDelivery', { env: config.tools, description: 'cdk-mlops: the delivery pipeline of the platform (MLOps level 2)' });
  new MlopsDeliveryPipeline(tools, 'Pipeline', {
    source: source(tools, config.source),
    stages: config.stages.map((s) => ({ name: s.name, env: { account: s.account, region: s.region }, requireApproval: s.requireApproval })),
    platform: { models: loadModelSpecs(process.env.MLOPS_MODELS_DIR ?? join(__dirname, '..', '..', 'models')), alarmEmails: config.alarmEmails },
    // `npm test` builds dist/ (tsc and the bundles) before this app runs from it.
    synthCommands: ['npm ci', 'npm test', 'npx cdk synth --app "node dist/bin/pipeline.js"'],
  });
  addPolicyPacks(app);
  app.synth();
} catch (e) {
  if (!(e instanceof DeliveryConfigError || e instanceof DeliveryPropsError || e instanceof ModelSpecError || e instanceof PolicyPackError)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  process.exitCode = 1;
}

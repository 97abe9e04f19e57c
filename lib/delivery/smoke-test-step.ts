import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep, IFileSetProducer } from 'aws-cdk-lib/pipelines';
import { PARAMETERS } from '../../lambda/shared/contract';
import { ENTITY_ID_FIX, isEntityId } from '../../lambda/shared/entity-id';
import { ModelSpec, ServingFrontEnd } from '../spec/model-spec';
import { DeliveryPropsError } from './delivery-props-error';
import { SmokeTestAccess } from './smoke-test-access';

/** What one stage's smoke test checks, and where. */
export interface SmokeTestStepOptions {
  readonly input: IFileSetProducer;
  readonly account: string;
  readonly region: string;
  readonly platformName: string;
  readonly models: ModelSpec[];
  /** Model -> entity id with a known prediction (its answer must come from the model). */
  readonly entities: Record<string, string>;
  /** The script, relative to the checkout root. */
  readonly script: string;
}

/** The AWS CLI profile that assumes the stage's smoke-test role from CodeBuild's own credentials. */
const PROFILE = 'mlops-stage';

const served = (models: ModelSpec[]) => models.filter((m) => m.inference.serving !== ServingFrontEnd.NONE);

/** The shell command that runs the smoke test script against one stage (also what the README shows). */
export function smokeTestCommand(o: Omit<SmokeTestStepOptions, 'input' | 'account'>): string {
  const models = served(o.models).map((m) => `--model ${o.entities[m.name] === undefined ? m.name : `${m.name}=${o.entities[m.name]}`}`);
  return [`node ${o.script}`, `--platform ${o.platformName}`, `--region ${o.region}`, ...models].join(' ');
}

/**
 * The post-deploy smoke test of a stage: a CodeBuild step in the pipeline account that assumes
 * the stage's smoke-test role and runs the script: prediction API health, one prediction per
 * served model, and the registry reachable, all found through the platform's SSM parameters.
 */
export function smokeTestStep(o: SmokeTestStepOptions): CodeBuildStep {
  const names = served(o.models).map((m) => m.name);
  const unknown = Object.keys(o.entities).filter((m) => !names.includes(m));
  const problems = [
    ...(unknown.length ? [`smokeTestEntities names ${unknown.join(', ')}, which ${unknown.length > 1 ? 'are not served models' : 'is not a served model'} (served: ${names.join(', ') || 'none'}); fix: remove the entry or correct the model name`] : []),
    ...Object.entries(o.entities).filter(([, id]) => !isEntityId(id)).map(([m, id]) => `smokeTestEntities.${m} is ${JSON.stringify(id)}; fix: ${ENTITY_ID_FIX}`),
  ];
  if (problems.length) throw new DeliveryPropsError(problems);
  const roleArn = SmokeTestAccess.roleArn(o.account, o.region, o.platformName);
  return new CodeBuildStep('SmokeTest', {
    input: o.input,
    commands: [
      'npm ci',
      `aws configure set profile.${PROFILE}.role_arn ${roleArn}`,
      `aws configure set profile.${PROFILE}.credential_source EcsContainer`,
      `AWS_PROFILE=${PROFILE} ${smokeTestCommand(o)}`,
    ],
    env: { [PARAMETERS.platformEnv]: o.platformName },
    rolePolicyStatements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [roleArn] })],
  });
}

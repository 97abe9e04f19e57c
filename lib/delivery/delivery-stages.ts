import { Environment, Token } from 'aws-cdk-lib';

/** One environment the pipeline deploys the platform to, in order. */
export interface DeliveryStageProps {
  /** Stage name, e.g. `dev`, `staging`, `prod`: it prefixes the stack names. */
  readonly name: string;
  /** Account and region of the environment (both required: stages deploy cross-account). */
  readonly env: Environment;
  /**
   * Whether a person approves in the pipeline before this stage deploys.
   * @default - true for the last stage (production), false for the others
   */
  readonly requireApproval?: boolean;
}

const STAGE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Whether the stage at `index` of `stages` waits for a manual approval. */
export function requiresApproval(stages: DeliveryStageProps[], index: number): boolean {
  return stages[index].requireApproval ?? index === stages.length - 1;
}

/** The problems of a stage list, each naming the field, the value and the fix (empty when valid). */
export function stageProblems(stages: DeliveryStageProps[], pipelineRegion: string, buildsImages: boolean): string[] {
  if (stages.length === 0) return ['stages is empty; fix: list the environments in deploy order, e.g. [{ name: "dev", env }, { name: "staging", env }, { name: "prod", env }]'];
  const problems: string[] = [];
  const seenNames = new Map<string, number>();
  const seenEnvs = new Map<string, number>();
  stages.forEach((s, i) => {
    const field = `stages[${i}]`;
    if (!STAGE_NAME.test(s.name)) problems.push(`${field}.name is ${JSON.stringify(s.name)}; fix: use 1-64 letters, digits or "-", starting with a letter (e.g. "prod")`);
    const { account, region } = s.env;
    if (account === undefined || Token.isUnresolved(account) || !ACCOUNT.test(account)) {
      problems.push(`${field}.env.account is ${JSON.stringify(account)}; fix: give the stage's 12-digit account id (a pipeline deploys to explicit environments)`);
    }
    if (region === undefined || Token.isUnresolved(region) || !REGION.test(region)) {
      problems.push(`${field}.env.region is ${JSON.stringify(region)}; fix: give the stage's region, e.g. "eu-west-1"`);
    } else if (buildsImages && !Token.isUnresolved(pipelineRegion) && region !== pipelineRegion) {
      problems.push(`${field}.env.region is "${region}", but model images are pushed once to ECR in the pipeline's region "${pipelineRegion}", and SageMaker and the platform's ECR endpoints pull only in their own region; `
        + 'fix: deploy this stage from a pipeline in its region, or use image URIs of that region in the specs');
    }
    const previousName = seenNames.get(s.name);
    if (previousName !== undefined) problems.push(`${field}.name "${s.name}" is also stages[${previousName}].name; fix: give each stage its own name`);
    seenNames.set(s.name, i);
    const envKey = `${account}/${region}`;
    const previousEnv = seenEnvs.get(envKey);
    if (previousEnv !== undefined) {
      problems.push(`${field}.env ${account}/${region} is also stages[${previousEnv}].env: the two platforms would publish the same SSM parameters; fix: give each stage its own account or region`);
    }
    seenEnvs.set(envKey, i);
  });
  return problems;
}

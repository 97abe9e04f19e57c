import { readFileSync } from 'node:fs';
import { ModelSpec } from '../spec/model-spec';
import { DeliveryPropsError } from './delivery-props-error';

/**
 * Environment variable the pipeline's synth step sets to the file written by the model-image
 * build (`{ "<model>": "<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<digest>" }`).
 */
export const IMAGE_DIGESTS_FILE_ENV = 'MLOPS_IMAGE_DIGESTS_FILE';

const DIGEST_REFERENCE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9._/-]+@sha256:[a-f0-9]{64}$/;

/** Models whose image the pipeline builds (a Dockerfile folder in the spec). */
export function builtImageModels(models: ModelSpec[]): ModelSpec[] {
  return models.filter((m) => m.training.imageDirectory !== undefined);
}

/**
 * The specs with each built image replaced by its pushed digest, so every stage's templates name
 * `repo@sha256:...` and no stage builds an image. Every built model needs a digest and every
 * digest a built model: a missing one would rebuild per stage, an extra one is a typo.
 */
export function withImageDigests(models: ModelSpec[], digests: Record<string, string>): ModelSpec[] {
  const built = new Set(builtImageModels(models).map((m) => m.name));
  const problems: string[] = [];
  for (const [model, reference] of Object.entries(digests)) {
    if (!built.has(model)) {
      problems.push(`imageDigests.${model}: no model named ${JSON.stringify(model)} builds its image from a Dockerfile folder (built: ${[...built].join(', ') || 'none'}); fix: remove the entry or correct the model name`);
    } else if (!DIGEST_REFERENCE.test(reference)) {
      problems.push(`imageDigests.${model} is ${JSON.stringify(reference)}; fix: give the pushed image by digest, <account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<64 hex digits>`);
    }
  }
  for (const model of built) {
    if (!(model in digests)) problems.push(`imageDigests.${model} is missing: the model's image would be rebuilt in every stage; fix: add the digest the model-image build pushed`);
  }
  if (problems.length) throw new DeliveryPropsError(problems);
  return models.map((m) => (digests[m.name] === undefined ? m : {
    ...m,
    training: { ...m.training, imageUri: digests[m.name], imageDirectory: undefined },
  }));
}

/**
 * The digests the model-image build wrote, read from the file named by
 * `MLOPS_IMAGE_DIGESTS_FILE`; undefined when the variable is unset (a synth outside the pipeline).
 */
export function imageDigestsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
  const file = env[IMAGE_DIGESTS_FILE_ENV];
  if (file === undefined || file === '') return undefined;
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new DeliveryPropsError([`${IMAGE_DIGESTS_FILE_ENV}=${file} cannot be read (${(e as Error).message}); fix: point it at the image-digests.json the model-image build wrote, or unset it outside the pipeline`]);
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new DeliveryPropsError([`${IMAGE_DIGESTS_FILE_ENV}=${file} holds ${text.slice(0, 200)}; fix: write an object of model name -> image reference by digest`]);
  }
  return parsed as Record<string, string>;
}

import { relative, sep } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep, IFileSetProducer } from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ModelSpec } from '../spec/model-spec';
import { IMAGE_DIGESTS_FILE_ENV, builtImageModels } from './image-digests';
import { DeliveryPropsError } from './delivery-props-error';

/** Folder (relative to the source root) the build writes, and the synth step reads. */
export const MODEL_IMAGES_DIR = 'model-images';
const DIGESTS_FILE = 'image-digests.json';

/** Props of {@link ModelImageBuild}. */
export interface ModelImageBuildProps {
  /** The repository checkout. */
  readonly input: IFileSetProducer;
  /** Every model; those with a Dockerfile folder get a repository and a build. */
  readonly models: ModelSpec[];
  /** Folder the specs' image paths are relative to in the checkout (the synth's working directory). */
  readonly repositoryRoot: string;
  /** Accounts that deploy the images (the stages); they may pull, nothing else. */
  readonly pullAccounts: string[];
}

/**
 * Builds each model image once per pipeline execution and pushes it to the model's ECR
 * repository in the pipeline account, then writes `image-digests.json` (model -> `repo@sha256:`)
 * for the synth step. Tags are `build-<CodeBuild build number>` and immutable; the digest is the
 * reference every stage deploys.
 */
export class ModelImageBuild extends Construct {
  /** The CodeBuild step; its primary output holds `image-digests.json`. */
  readonly step: CodeBuildStep;
  /** One repository per model with a Dockerfile folder, by model name. */
  readonly repositories: Record<string, ecr.Repository> = {};

  constructor(scope: Construct, id: string, props: ModelImageBuildProps) {
    super(scope, id);
    const models = builtImageModels(props.models);
    const env: Record<string, string> = {};
    const commands = [`mkdir -p ${MODEL_IMAGES_DIR} && echo '{}' > ${MODEL_IMAGES_DIR}/${DIGESTS_FILE}`, 'TAG="build-${CODEBUILD_BUILD_NUMBER}"'];
    models.forEach((spec, i) => {
      const repository = new ecr.Repository(this, `${spec.name}Repository`, {
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        // Registered versions name their image digest: deleting an image would break retraining and rollback.
        removalPolicy: RemovalPolicy.RETAIN,
        // Every push carries a build tag, so an untagged image is only the leftover of a failed
        // push; tagged images stay (a registered version names its digest).
        lifecycleRules: [{ description: 'Expire leftovers of failed pushes', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(14) }],
      });
      const stageAccounts = [...new Set(props.pullAccounts)].filter((a) => a !== Stack.of(this).account);
      if (stageAccounts.length) {
        repository.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'StageAccountsPull',
          principals: stageAccounts.map((a) => new iam.AccountPrincipal(a)),
          actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        }));
      }
      this.repositories[spec.name] = repository;
      const repoVar = `MLOPS_IMAGE_REPOSITORY_${i}`;
      env[repoVar] = repository.repositoryUri;
      const ref = `"$${repoVar}:$TAG"`;
      commands.push(
        `aws ecr get-login-password | docker login --username AWS --password-stdin "\${${repoVar}%%/*}"`,
        `docker build --platform linux/amd64 -t ${ref} ${contextPath(props.repositoryRoot, spec)}`,
        `docker push ${ref}`,
        `jq --arg m ${spec.name} --arg r "$(docker inspect --format '{{index .RepoDigests 0}}' ${ref})" '.[$m] = $r' ${MODEL_IMAGES_DIR}/${DIGESTS_FILE} > digests.tmp && mv digests.tmp ${MODEL_IMAGES_DIR}/${DIGESTS_FILE}`,
      );
    });
    commands.push(`cat ${MODEL_IMAGES_DIR}/${DIGESTS_FILE}`);
    this.step = new CodeBuildStep('ModelImages', {
      input: props.input,
      commands,
      env,
      primaryOutputDirectory: MODEL_IMAGES_DIR,
      // SageMaker and Batch GPU instances run x86_64 images; Docker builds need privileged mode.
      buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, privileged: true },
      rolePolicyStatements: [
        new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage'],
          resources: Object.values(this.repositories).map((r) => r.repositoryArn),
        }),
      ],
    });
  }

  /** The synth step's environment entry naming the digests file in its checkout. */
  static synthEnvironment(inputDir: string): Record<string, string> {
    return { [IMAGE_DIGESTS_FILE_ENV]: `${inputDir}/${DIGESTS_FILE}` };
  }
}

/** The Docker build context of a model, relative to the checkout root. */
function contextPath(repositoryRoot: string, spec: ModelSpec): string {
  const path = relative(repositoryRoot, spec.training.imageDirectory!).split(sep).join('/');
  if (path === '' || path.startsWith('..') || /[^A-Za-z0-9._/-]/.test(path)) {
    throw new DeliveryPropsError([`model ${spec.name}'s image folder ${spec.training.imageDirectory} is not a plain path inside repositoryRoot ${repositoryRoot} (got ${JSON.stringify(path)}); `
      + 'fix: keep the Dockerfile folder inside the repository (letters, digits, ".", "_", "-", "/") and synthesize from its root, or set repositoryRoot']);
  }
  return path;
}

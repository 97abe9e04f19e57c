import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Arn } from 'aws-cdk-lib';
import { parseEcrImageUri } from './ecr-image-uri';

/**
 * The training container image, usable by both backends (SageMaker wants a URI, Batch an ECS
 * image). Pin a digest (`sha256:...`) for reproducible lineage: the URI is recorded on every
 * registered version.
 */
export abstract class TrainingImage {
  /**
   * An image by URI (ECR in another stack, or a public registry). An ECR URI gives the role pull
   * rights on that repository only; other registries need none.
   */
  static fromRegistry(imageUri: string): TrainingImage {
    return new RegistryImage(imageUri);
  }

  /** An image in an ECR repository; the training role gets pull access to that repository only. */
  static fromEcrRepository(repository: ecr.IRepository, tagOrDigest: string = 'latest'): TrainingImage {
    return new EcrImage(repository, tagOrDigest);
  }

  /** URI of the image. */
  abstract readonly imageUri: string;
  /** Lets a role pull the image (no-op for images outside ECR). */
  abstract grantPull(grantee: iam.IGrantable): void;
  /**
   * Lets a role read the image's digest (ecr:DescribeImages), with which the training pipeline
   * pins a tag to a digest for lineage (no-op for images outside ECR).
   */
  abstract grantDescribe(grantee: iam.IGrantable): void;
  /** The same image for an ECS/Batch container definition. */
  abstract toContainerImage(): ecs.ContainerImage;
}

class RegistryImage extends TrainingImage {
  constructor(readonly imageUri: string) { super(); }
  grantPull(grantee: iam.IGrantable): void {
    const repositoryArn = this.repositoryArn();
    if (!repositoryArn) return;
    iam.Grant.addToPrincipal({ grantee, actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], resourceArns: [repositoryArn] });
    iam.Grant.addToPrincipal({ grantee, actions: ['ecr:GetAuthorizationToken'], resourceArns: ['*'] });
  }
  grantDescribe(grantee: iam.IGrantable): void {
    const repositoryArn = this.repositoryArn();
    if (repositoryArn) iam.Grant.addToPrincipal({ grantee, actions: ['ecr:DescribeImages'], resourceArns: [repositoryArn] });
  }
  /** The repository's ARN when the URI is an ECR image. */
  private repositoryArn(): string | undefined {
    const e = parseEcrImageUri(this.imageUri);
    return e && Arn.format({ partition: e.partition, service: 'ecr', account: e.account, region: e.region, resource: 'repository', resourceName: e.repositoryName });
  }
  toContainerImage(): ecs.ContainerImage { return ecs.ContainerImage.fromRegistry(this.imageUri); }
}

class EcrImage extends TrainingImage {
  readonly imageUri: string;
  constructor(private readonly repository: ecr.IRepository, private readonly tagOrDigest: string) {
    super();
    this.imageUri = repository.repositoryUriForTagOrDigest(tagOrDigest);
  }
  grantPull(grantee: iam.IGrantable): void { this.repository.grantPull(grantee); }
  grantDescribe(grantee: iam.IGrantable): void { this.repository.grant(grantee, 'ecr:DescribeImages'); }
  toContainerImage(): ecs.ContainerImage { return ecs.ContainerImage.fromEcrRepository(this.repository, this.tagOrDigest); }
}

import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DataLake } from '../data-lake';
import { ModelRegistry } from '../model-registry';

/** Props of {@link MlopsPlatformStack}. */
export interface MlopsPlatformStackProps extends StackProps {}

/** The default deployment: everything the platform needs in one env-agnostic stack. */
export class MlopsPlatformStack extends Stack {
  /** Datasets, artifacts and predictions storage. */
  readonly dataLake: DataLake;
  /** The model registry. */
  readonly registry: ModelRegistry;

  constructor(scope: Construct, id: string, props: MlopsPlatformStackProps = {}) {
    super(scope, id, props);
    this.dataLake = new DataLake(this, 'DataLake');
    // One customer key for the platform's data keeps key policies and grants in one place.
    this.registry = new ModelRegistry(this, 'Registry', { encryptionKey: this.dataLake.encryptionKey });
  }
}

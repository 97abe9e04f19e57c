// What every command needs: the registry, Step Functions, the platform's SSM parameters, the
// actor name and the output mode. Clients are created lazily and can be injected by tests.
import { userInfo } from 'node:os';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { PARAMETERS } from '../lambda/shared/contract';
import { documentClient } from '../lambda/shared/dynamo';
import { ModelRegistryClient } from '../lambda/shared/registry';
import { ApprovalStore } from '../lambda/shared/training/approvals';
import { alive, localDir, readLocalState } from './local-state';
import { CLI_ENV } from './env';
import { NotFound } from './errors';
import { CliIo } from './output';

/** Injection points for tests and embedding. */
export interface CliDeps {
  /** @default process.env */
  readonly env?: Record<string, string | undefined>;
  /** @default - a client for the platform's registry table */
  readonly registry?: ModelRegistryClient;
  /** Where pending approvals (task tokens) are read; must be the registry's table. @default - built with the registry */
  readonly approvals?: ApprovalStore;
  /** @default - a client from the default AWS configuration (or MLOPS_ENDPOINT_SFN) */
  readonly sfn?: SFNClient;
  /** @default - a client from the default AWS configuration (or MLOPS_ENDPOINT_SSM) */
  readonly ssm?: SSMClient;
  /** The registry's S3 client (promote copies experiment artifacts under runs/). @default - from the default AWS configuration (or MLOPS_ENDPOINT_S3) */
  readonly s3?: S3Client;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Folder `models/<name>/model.yaml` is looked up in. @default process.cwd() */
  readonly cwd?: string;
}

export interface GlobalFlags {
  readonly platform?: string;
  readonly registryTable?: string;
  readonly json: boolean;
  readonly actor?: string;
  /** Use the platform of `mlops local up` (its state folder's environment). @default false */
  readonly local?: boolean;
}

export class CliContext {
  readonly env: Record<string, string | undefined>;
  readonly platform: string;
  readonly json: boolean;
  readonly actor: string;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly cwd: string;
  private registryClient?: ModelRegistryClient;
  private approvalStore?: ApprovalStore;
  private sfnClient?: SFNClient;
  private ssmClient?: SSMClient;
  private s3Client?: S3Client;

  constructor(readonly io: CliIo, private readonly flags: GlobalFlags, deps: CliDeps) {
    this.env = deps.env ?? process.env;
    this.cwd = deps.cwd ?? process.cwd();
    if (flags.local) this.env = { ...this.env, ...localEnvironment(this.cwd, this.env) };
    this.platform = flags.platform ?? this.env[CLI_ENV.platform] ?? PARAMETERS.defaultPlatform;
    this.json = flags.json;
    this.actor = flags.actor ?? this.env[CLI_ENV.actor] ?? `cli:${safeUser()}`;
    this.now = deps.now ?? (() => new Date());
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.registryClient = deps.registry;
    this.approvalStore = deps.approvals;
    this.sfnClient = deps.sfn;
    this.ssmClient = deps.ssm;
    this.s3Client = deps.s3;
  }

  /** The registry: `--registry-table` / MLOPS_REGISTRY_TABLE, else the platform's SSM parameter. */
  async registry(): Promise<ModelRegistryClient> {
    if (!this.registryClient) {
      const tableName = this.flags.registryTable ?? this.env[CLI_ENV.registryTable] ?? await this.parameter(PARAMETERS.registryTable(this.platform), 'the registry table');
      const endpoint = this.env[CLI_ENV.dynamodbEndpoint];
      const doc = documentClient(this.clientConfig(endpoint));
      this.registryClient = new ModelRegistryClient({ tableName, doc, s3: this.s3() });
      this.approvalStore ??= { doc, tableName };
    }
    return this.registryClient;
  }

  /** The approval requests (task tokens of waiting pipelines), kept in the registry table. */
  async approvals(): Promise<ApprovalStore | undefined> {
    await this.registry();
    return this.approvalStore;
  }

  /** The S3 client (MLOPS_ENDPOINT_S3 for emulators, with path-style addressing). */
  s3(): S3Client {
    const endpoint = this.env[CLI_ENV.s3Endpoint];
    this.s3Client ??= new S3Client(endpoint ? { ...this.clientConfig(endpoint), forcePathStyle: true } : {});
    return this.s3Client;
  }

  /** The platform's datasets bucket: MLOPS_DATASETS_BUCKET, else SSM. */
  async datasetsBucket(): Promise<string> {
    return this.env[CLI_ENV.datasetsBucket] ?? this.parameter(PARAMETERS.datasetsBucket(this.platform), 'the datasets bucket');
  }

  /**
   * An endpoint override (emulators) with the region and keys of this context's environment,
   * which is process.env unless injected (`--local` adds the local platform's).
   */
  private clientConfig(endpoint: string | undefined): { endpoint?: string; region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } {
    if (!endpoint) return {};
    const { AWS_REGION: region, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = this.env;
    return { endpoint, ...(region ? { region } : {}), ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}) };
  }

  sfn(): SFNClient {
    const endpoint = this.env[CLI_ENV.sfnEndpoint];
    this.sfnClient ??= new SFNClient(endpoint ? { endpoint } : {});
    return this.sfnClient;
  }

  /** ARN of a model's training state machine: MLOPS_TRAINING_STATE_MACHINE_ARN, else SSM. */
  async trainingStateMachineArn(model: string): Promise<string> {
    return this.env[CLI_ENV.trainingStateMachine]
      ?? this.parameter(PARAMETERS.trainingStateMachine(this.platform, model), `the training pipeline of model "${model}"`);
  }

  /** ARN of a model's batch inference state machine: MLOPS_BATCH_INFERENCE_STATE_MACHINE_ARN, else SSM. */
  async batchInferenceStateMachineArn(model: string): Promise<string> {
    return this.env[CLI_ENV.batchInferenceStateMachine]
      ?? this.parameter(PARAMETERS.batchInferenceStateMachine(this.platform, model), `the batch inference of model "${model}" (is its inference mode batch?)`);
  }

  private async parameter(name: string, what: string): Promise<string> {
    if (this.flags.local) {
      throw new NotFound(`--local: the local platform has no ${what} to reach (it runs its state machines in the mlops local commands)`,
        'train or score with mlops local train <model> / mlops local score <model>, then use --local with the other commands');
    }
    const endpoint = this.env[CLI_ENV.ssmEndpoint];
    this.ssmClient ??= new SSMClient(endpoint ? { endpoint } : {});
    try {
      const res = await this.ssmClient.send(new GetParameterCommand({ Name: name }));
      const value = res.Parameter?.Value;
      if (value) return value;
    } catch (e) {
      if ((e as { name?: string }).name !== 'ParameterNotFound') throw e;
    }
    throw new NotFound(`cannot find ${what} of platform "${this.platform}": SSM parameter ${name} does not exist in this account and region`,
      `deploy the platform (npx cdk deploy), choose another one with --platform <name> or ${CLI_ENV.platform}, or check AWS_REGION / AWS_PROFILE`);
  }
}

/** The environment of the running `mlops local up` platform (for --local). */
function localEnvironment(cwd: string, env: Record<string, string | undefined>): Record<string, string> {
  const dir = localDir(cwd, env);
  const state = readLocalState(dir);
  if (!state || !alive(state.daemonPid)) throw new NotFound(`--local: no local platform is running (no live ${dir}/state.json)`, 'start one with: mlops local up');
  return state.cliEnv;
}

function safeUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

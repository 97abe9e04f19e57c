// The local stand-in of a training (or scoring) container run: the same contract as SageMaker
// and the Batch staging wrapper, with a temp folder in place of /opt/ml (CONTAINER.env.mlRoot).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CONTAINER } from '../../lambda/shared/contract';
import { BATCH_STAGING_ENV } from '../../lambda/shared/training/constants';

export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** One training job, whichever engine it was meant for. */
export interface TrainingJobSpec {
  readonly jobName: string;
  /** The training channel. */
  readonly input: S3Location;
  /** Base of the job's output: `output/model/` and `output/data/` are written under it. */
  readonly output: S3Location;
  readonly checkpoint?: S3Location;
  readonly hyperparameters: Record<string, string>;
  /** Container environment (MLOPS_* contract variables and extras). */
  readonly environment: Record<string, string>;
}

export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`expected an s3://bucket/prefix URI, got ${JSON.stringify(uri)}`);
  return { bucket: m[1], prefix: m[2] };
}

const slash = (p: string) => (p === '' || p.endsWith('/') ? p : `${p}/`);

/** The spec of a SageMaker CreateTrainingJob request (the Parameters of the .sync task). */
export function specFromSageMaker(req: any): TrainingJobSpec { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out = parseS3Uri(req.OutputDataConfig.S3OutputPath);
  const channel = (req.InputDataConfig ?? []).find((c: any) => c.ChannelName === CONTAINER.trainingChannel); // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!channel) throw new Error(`CreateTrainingJob request has no "${CONTAINER.trainingChannel}" channel`);
  return {
    jobName: req.TrainingJobName,
    input: parseS3Uri(channel.DataSource.S3DataSource.S3Uri),
    // SageMaker writes <S3OutputPath>/<TrainingJobName>/output/...
    output: { bucket: out.bucket, prefix: `${slash(out.prefix)}${req.TrainingJobName}/` },
    checkpoint: req.CheckpointConfig?.S3Uri ? parseS3Uri(req.CheckpointConfig.S3Uri) : undefined,
    hyperparameters: { ...(req.HyperParameters ?? {}) },
    environment: { ...(req.Environment ?? {}) },
  };
}

/** The spec of a Batch SubmitJob request made for the staging wrapper. */
export function specFromBatch(req: any): TrainingJobSpec { // eslint-disable-line @typescript-eslint/no-explicit-any
  const env: Record<string, string> = {};
  for (const e of req.ContainerOverrides?.Environment ?? []) env[e.Name] = e.Value;
  const need = (n: string) => {
    if (env[n] === undefined) throw new Error(`SubmitJob request lacks ${n} in ContainerOverrides.Environment`);
    return env[n];
  };
  return {
    jobName: req.JobName,
    input: parseS3Uri(need(BATCH_STAGING_ENV.inputUri)),
    output: parseS3Uri(need(BATCH_STAGING_ENV.outputUri)),
    checkpoint: env[BATCH_STAGING_ENV.checkpointUri] ? parseS3Uri(env[BATCH_STAGING_ENV.checkpointUri]) : undefined,
    hyperparameters: JSON.parse(env[BATCH_STAGING_ENV.hyperparameters] ?? '{}'),
    environment: env,
  };
}

export interface RunOptions {
  /** The training command, e.g. ['node', 'train.js'] or ['python3', 'train.py']. */
  readonly command: string[];
  readonly s3: S3Client;
  /** @default process.cwd() */
  readonly cwd?: string;
  /** Extra environment for the command. */
  readonly env?: Record<string, string>;
  /** Keep the temp /opt/ml folder (debugging). @default false */
  readonly keepRoot?: boolean;
}

export interface JobResult {
  readonly exitCode: number;
  readonly uploaded: string[];
  readonly stderr: string;
}

/** Stages inputs, runs the command under the contract, uploads outputs (also on failure). */
export async function runTrainingJob(spec: TrainingJobSpec, opts: RunOptions): Promise<JobResult> {
  const root = mkdtempSync(join(tmpdir(), 'mlops-ml-'));
  try {
    const dirs = {
      training: join(root, 'input', 'data', CONTAINER.trainingChannel),
      config: join(root, 'input', 'config'),
      model: join(root, 'model'),
      output: join(root, 'output', 'data'),
      checkpoints: join(root, 'checkpoints'),
    };
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    await syncDown(opts.s3, spec.input, dirs.training);
    writeFileSync(join(dirs.config, 'hyperparameters.json'), JSON.stringify(spec.hyperparameters));
    if (spec.checkpoint) await syncDown(opts.s3, spec.checkpoint, dirs.checkpoints);

    const { exitCode, stderr } = await run(opts.command, {
      cwd: opts.cwd ?? process.cwd(),
      env: { ...process.env, ...spec.environment, ...opts.env, [CONTAINER.env.mlRoot]: root },
    });
    const uploaded = [
      ...await syncUp(opts.s3, dirs.model, { bucket: spec.output.bucket, prefix: `${slash(spec.output.prefix)}output/model/` }),
      ...await syncUp(opts.s3, dirs.output, { bucket: spec.output.bucket, prefix: `${slash(spec.output.prefix)}output/data/` }),
      ...(spec.checkpoint ? await syncUp(opts.s3, dirs.checkpoints, { bucket: spec.checkpoint.bucket, prefix: slash(spec.checkpoint.prefix) }) : []),
    ];
    return { exitCode, uploaded, stderr };
  } finally {
    if (!opts.keepRoot) rmSync(root, { recursive: true, force: true });
  }
}

/** A job failure the way the .sync integrations report it (Error States.TaskFailed). */
export class TrainingJobFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.TaskFailed';
  }
}

/**
 * A local Task handler for the training state: reads the SageMaker or Batch request, runs the
 * command under the contract and fails like the real integration when the command fails.
 */
export function localTrainingTask(opts: RunOptions): (request: unknown) => Promise<{ jobName: string; uploaded: string[] }> {
  return async (request) => {
    const req = request as Record<string, unknown>;
    const spec = 'TrainingJobName' in req ? specFromSageMaker(req) : specFromBatch(req);
    const res = await runTrainingJob(spec, opts);
    if (res.exitCode !== 0) {
      throw new TrainingJobFailed(JSON.stringify({ FailureReason: `AlgorithmError: ${opts.command.join(' ')} exited with ${res.exitCode}: ${res.stderr.slice(-1000)}` }));
    }
    return { jobName: spec.jobName, uploaded: res.uploaded };
  };
}

export function run(command: string[], o: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ exitCode: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd: o.cwd, env: o.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString('utf8')).slice(-4000); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stderr }));
  });
}

export async function syncDown(s3: S3Client, from: S3Location, to: string): Promise<void> {
  let token: string | undefined;
  do {
    const res = await s3.send(new ListObjectsV2Command({ Bucket: from.bucket, Prefix: from.prefix, ContinuationToken: token }));
    for (const o of res.Contents ?? []) {
      const rel = o.Key!.slice(from.prefix.length).replace(/^\/+/, '');
      if (!rel || o.Key!.endsWith('/')) continue;
      const dest = join(to, ...rel.split('/'));
      if (!dest.startsWith(to + sep)) throw new Error(`refusing to write ${o.Key} outside ${to}`);
      mkdirSync(dirname(dest), { recursive: true });
      const obj = await s3.send(new GetObjectCommand({ Bucket: from.bucket, Key: o.Key! }));
      await pipeline(obj.Body as Readable, createWriteStream(dest));
    }
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
}

async function syncUp(s3: S3Client, dir: string, to: S3Location): Promise<string[]> {
  const keys: string[] = [];
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
  for (const file of walk(dir)) {
    const key = `${to.prefix}${relative(dir, file).split(sep).join('/')}`;
    await s3.send(new PutObjectCommand({ Bucket: to.bucket, Key: key, Body: readFileSync(file) }));
    keys.push(`s3://${to.bucket}/${key}`);
  }
  return keys;
}

// The local stand-in of the ingestion job (the `ecs:runTask.sync` Task of DataIngestion): the
// synthesized task definition's own container, entry point (the staging wrapper's python3 -c
// bootstrap) and environment, with the state's container overrides, run on this machine. A temp
// folder stands in for /opt/ml (MLOPS_ML_ROOT), the image's code folder is the model's folder,
// and the wrapper uploads to the S3 emulator (MLOPS_S3_ENDPOINT).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTAINER } from '../../lambda/shared/contract';
import { INGEST_STAGING_ENV } from '../../lambda/shared/ingestion/constants';
import { ResolveContext, resolveIntrinsics } from '../asl';
import { CfnTemplate } from '../platform/assembly';
import { TrainingJobFailed, run } from './stand-in';

/** The parts of an ECS RunTask request the stand-in reads. */
interface RunTaskRequest {
  readonly TaskDefinition: string;
  readonly Overrides?: { ContainerOverrides?: Array<{ Name: string; Environment?: Array<{ Name: string; Value: string }> }> };
}

interface ContainerDefinition {
  readonly Name: string;
  readonly EntryPoint?: string[];
  readonly Command?: string[];
  readonly Environment?: Array<{ Name: string; Value: unknown }>;
}

export interface IngestionJobOptions {
  /** The model stack's template and how its intrinsics resolve locally. */
  readonly template: CfnTemplate;
  readonly ctx: ResolveContext;
  /** Maps the job's command (written for the image) to this machine, e.g. `/opt/program/x.py` to the model's folder. */
  readonly localCommand: (command: string[]) => { command: string[]; cwd: string };
  /** The S3 emulator's endpoint. */
  readonly s3Endpoint: string;
  /** Credentials, region and the like the wrapper's S3 client needs. */
  readonly env: Record<string, string>;
}

/** What the job did, for progress lines. */
export interface IngestionJobResult {
  readonly taskDefinition: string;
  readonly container: string;
  readonly exitCode: number;
  /** The wrapper's own log lines (what it uploaded), joined. */
  readonly summary: string;
}

/** A local Task handler for `ecs:runTask.sync`: fails like ECS (States.TaskFailed) when the container exits non-zero. */
export function localIngestionJob(opts: IngestionJobOptions): (request: unknown) => Promise<IngestionJobResult> {
  return async (request) => {
    const req = request as RunTaskRequest;
    const [family, definitions] = taskDefinitionOf(opts.template, req.TaskDefinition);
    const override = req.Overrides?.ContainerOverrides?.[0];
    const container = definitions.find((c) => c.Name === override?.Name) ?? definitions.find((c) => c.Environment?.some((e) => e.Name === INGEST_STAGING_ENV.command));
    if (!container?.EntryPoint) throw new Error(`task definition ${family} has no container ${override?.Name ?? `with ${INGEST_STAGING_ENV.command}`} with an entry point`);
    const env: Record<string, string> = {};
    for (const e of container.Environment ?? []) env[e.Name] = String(resolveIntrinsics(e.Value, opts.ctx));
    for (const e of override?.Environment ?? []) env[e.Name] = e.Value;
    const { command, cwd } = opts.localCommand(JSON.parse(env[INGEST_STAGING_ENV.command] ?? '[]') as string[]);
    const root = mkdtempSync(join(tmpdir(), 'mlops-ingest-'));
    try {
      const res = await run([...container.EntryPoint, ...(container.Command ?? [])], {
        cwd,
        env: {
          PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: '1', ...env, ...opts.env,
          [INGEST_STAGING_ENV.command]: JSON.stringify(command),
          [CONTAINER.env.mlRoot]: root,
          MLOPS_S3_ENDPOINT: opts.s3Endpoint,
        },
      });
      const log = res.stderr.split('\n').filter((l) => /\bingestion command\b|\bfailed:/.test(l)).map((l) => l.replace(/^\[mlops-stager\]/, '').trim());
      if (res.exitCode !== 0) {
        throw new TrainingJobFailed(JSON.stringify({ StoppedReason: `Essential container in task exited`, Containers: [{ Name: container.Name, ExitCode: res.exitCode, Reason: res.stderr.slice(-1000) }] }));
      }
      return { taskDefinition: family, container: container.Name, exitCode: res.exitCode, summary: log.join('; ') };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

/** The task definition a RunTask request names (its family, as the Ref resolves locally, or its logical id). */
function taskDefinitionOf(template: CfnTemplate, name: string): [string, ContainerDefinition[]] {
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::ECS::TaskDefinition') continue;
    const local = String(resolveIntrinsics({ Ref: id }, { resources: template.Resources }));
    if ([id, local, r.Properties?.Family].includes(name)) return [name, r.Properties?.ContainerDefinitions ?? []];
  }
  throw new Error(`the RunTask request names task definition ${name}, which is not in the model's template`);
}

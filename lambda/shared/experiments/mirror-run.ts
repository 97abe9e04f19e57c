// Mirrors a finished registry run into the managed MLflow tracking server, so a team that lives
// in MLflow sees every run without writing logging code (training jobs run network-isolated and
// cannot reach the server themselves). The MLflow run is named after the registry run id and
// tagged `mlops.runId`; the registry run records the MLflow run id: the two link both ways.
import { ModelRegistryClient, Run } from '../registry';
import { MlflowClient, MlflowError } from './mlflow-client';

/** MLflow's LogBatch limits per request. */
const BATCH = { metrics: 1000, params: 100, tags: 100 };
const FINAL_STATUS: Record<string, string> = { SUCCEEDED: 'FINISHED', FAILED: 'FAILED', STOPPED: 'KILLED' };
/** Tag names on the MLflow run (MLflow's own `mlflow.runName` shows the registry run id). */
export const MLFLOW_TAGS = { runId: 'mlops.runId', model: 'mlops.model', category: 'mlops.category' } as const;

export interface MirrorDeps {
  readonly mlflow: MlflowClient;
  readonly registry: ModelRegistryClient;
  /** MLflow experiment name of a model's runs. */
  readonly experimentName: (model: string) => string;
}

export interface MirroredRun {
  readonly experimentId: string;
  readonly mlflowRunId: string;
  /** False when an earlier delivery already mirrored it (nothing was logged again). */
  readonly logged: boolean;
}

interface RunInfo { run_id: string; status: string }

/** Mirrors one finished run; idempotent (a redelivered record finds the run by its tag and logs nothing twice). */
export async function mirrorRun(run: Run, deps: MirrorDeps): Promise<MirroredRun> {
  if (!FINAL_STATUS[run.status]) throw new Error(`run ${run.runId} is ${run.status}: only finished runs are mirrored`);
  const experimentId = await ensureExperiment(deps.mlflow, deps.experimentName(run.model));
  const found = await deps.mlflow.post<{ runs?: Array<{ info: RunInfo }> }>('runs/search', {
    experiment_ids: [experimentId], filter: `tags.\`${MLFLOW_TAGS.runId}\` = '${run.runId}'`, max_results: 1,
  });
  let info = found.runs?.[0]?.info;
  const logged = !info || info.status === 'RUNNING';
  if (!info) {
    info = (await deps.mlflow.post<{ run: { info: RunInfo } }>('runs/create', {
      experiment_id: experimentId, run_name: run.runId, start_time: Date.parse(run.startedAt), tags: tagsOf(run),
    })).run.info;
  }
  if (logged) {
    await logBatches(deps.mlflow, info.run_id, run);
    await deps.mlflow.post('runs/update', { run_id: info.run_id, status: FINAL_STATUS[run.status], end_time: Date.parse(run.finishedAt ?? run.startedAt) });
  }
  await deps.registry.linkExperimentRun({ runId: run.runId, experimentId, mlflowRunId: info.run_id });
  return { experimentId, mlflowRunId: info.run_id, logged };
}

function tagsOf(run: Run): Array<{ key: string; value: string }> {
  const tags: Record<string, string | undefined> = {
    [MLFLOW_TAGS.runId]: run.runId, [MLFLOW_TAGS.model]: run.model, [MLFLOW_TAGS.category]: run.category,
    'mlops.trigger': run.trigger, 'mlops.executionDate': run.executionDate, 'mlops.datasetVersion': run.datasetVersion,
    'mlops.image': run.image, 'mlops.version': run.version === undefined ? undefined : String(run.version),
    'mlops.experiment': String(run.experiment), 'mlops.failureCause': run.failureCause?.slice(0, 5000),
    ...Object.fromEntries(Object.entries(run.tags ?? {}).map(([k, v]) => [`user.${k}`, v])),
  };
  return Object.entries(tags).filter((e): e is [string, string] => e[1] !== undefined).map(([key, value]) => ({ key, value }));
}

/**
 * Params, final metrics and the metric series in LogBatch-sized requests. Final metrics keep
 * their names (the gate's input, as the registry shows them); series points are logged as
 * `series.<name>` with their steps, so a curve never hides the final value MLflow displays.
 */
async function logBatches(mlflow: MlflowClient, runId: string, run: Run): Promise<void> {
  const at = Date.parse(run.finishedAt ?? run.startedAt);
  const params = Object.entries(run.hyperparameters).map(([key, value]) => ({ key, value: value.slice(0, 6000) }));
  const metrics = [
    ...Object.entries(run.metrics).map(([key, value]) => ({ key, value, timestamp: at, step: 0 })),
    ...Object.entries(run.metricSeries?.metrics ?? {}).flatMap(([name, points]) => points.map(([step, value]) => ({ key: `series.${name}`, value, timestamp: at, step: Math.trunc(step) }))),
  ];
  for (let i = 0; i < params.length; i += BATCH.params) await mlflow.post('runs/log-batch', { run_id: runId, params: params.slice(i, i + BATCH.params) });
  for (let i = 0; i < metrics.length; i += BATCH.metrics) await mlflow.post('runs/log-batch', { run_id: runId, metrics: metrics.slice(i, i + BATCH.metrics) });
}

/** The experiment's id, created on first use (a concurrent creation is found, not duplicated). */
async function ensureExperiment(mlflow: MlflowClient, name: string): Promise<string> {
  const find = async () => (await mlflow.post<{ experiments?: Array<{ experiment_id: string; name: string }> }>('experiments/search', {
    filter: `name = '${name.replace(/'/g, "\\'")}'`, max_results: 1,
  })).experiments?.find((e) => e.name === name)?.experiment_id;
  const existing = await find();
  if (existing) return existing;
  try {
    return (await mlflow.post<{ experiment_id: string }>('experiments/create', { name })).experiment_id;
  } catch (e) {
    if (e instanceof MlflowError && e.code === 'RESOURCE_ALREADY_EXISTS') {
      const raced = await find();
      if (raced) return raced;
    }
    throw e;
  }
}

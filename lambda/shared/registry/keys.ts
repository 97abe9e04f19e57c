// Single-table key design; see README "Design notes: registry keys" for access patterns and costs.
export const ATTR = { pk: 'pk', sk: 'sk', gsi1pk: 'gsi1pk', gsi1sk: 'gsi1sk' } as const;
export const GSI1 = 'gsi1';

const pad = (n: number) => String(n).padStart(10, '0');

export const keys = {
  model: (model: string) => ({ pk: `${keys.modelPkPrefix}${model}`, sk: keys.modelSk }),
  modelPkPrefix: 'MODEL#',
  modelSk: '#META',
  modelsIndex: () => 'MODELS',
  /** Partition holding everything about one (model, category): versions, counter, pointer, history. */
  line: (model: string, category: string) => `MODEL#${model}#CAT#${category}`,
  counterSk: '#COUNTER',
  /** The desired version (what promote / rollback set). */
  productionSk: '#PRODUCTION',
  /** The served version (what prediction servers read); moves once the desired version is loaded. */
  servedSk: '#SERVED',
  /** What the model's real-time endpoint serves for this line (written by the endpoint update function). */
  endpointSk: '#ENDPOINT',
  /** The newest completed prediction load of a version. */
  loadSk: (version: number) => `L#${pad(version)}`,
  versionSk: (version: number) => `V#${pad(version)}`,
  versionPrefix: 'V#',
  eventSk: (sequence: number) => `P#${pad(sequence)}`,
  eventPrefix: 'P#',
  /** A version status change, ordered by time within the (model, category) partition (the same change retried overwrites itself). */
  statusChangeSk: (at: string, version: number, status: string) => `S#${at}#${pad(version)}#${status}`,
  statusChangePrefix: 'S#',
  runRefSk: (runId: string) => `RUNREF#${runId}`,
  run: (runId: string) => ({ pk: `${keys.runPkPrefix}${runId}`, sk: keys.runSk }),
  runPkPrefix: 'RUN#',
  runSk: '#RUN',
  runsIndex: (model: string) => `MODEL#${model}#RUNS`,
};

/** Item type discriminator; the change-event pipes filter on it. */
export const ENTITY = {
  model: 'MODEL',
  version: 'VERSION',
  counter: 'COUNTER',
  production: 'PRODUCTION',
  served: 'SERVED',
  endpoint: 'ENDPOINT',
  load: 'LOAD',
  promotion: 'PROMOTION',
  statusChange: 'STATUS_CHANGE',
  runRef: 'RUNREF',
  run: 'RUN',
} as const;

// Where the model specs are read from, named once for `cdk synth` (bin/app.ts) and the CLI.

/** Environment variable that points `cdk synth` and `mlops validate` at another models folder. */
export const MODELS_DIR_ENV = 'MLOPS_MODELS_DIR';

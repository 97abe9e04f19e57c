import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { MODEL_NAME_RULE, isModelName } from '../../lambda/shared/names-and-numbers';
import { packageRoot } from '../../lib/common/handler-code';
import { MODELS_DIR_ENV } from '../../lib/spec/models-dir';
import { scaffoldSpec } from '../../lib/spec/scaffold-spec';
import { SPEC_SCHEMA_PATH } from '../../lib/spec/spec-schema';
import { mlopsCommand } from '../command-line';
import { COMMAND_TABLE } from '../command-table';
import { CliError, EXIT, UsageError } from '../errors';
import { json } from '../output';
import { Command } from './command';
import { CONTRACT_PY, DOCKERFILE, GENERATE_DATA_PY, SCORE_PY, TEMPLATE_COLUMNS, TEMPLATE_HYPERPARAMETERS, TRAIN_PY, readme } from './new-model-files';

/** `mlops new <name>`: a model folder that passes `mlops validate` and runs locally at once. */
export const newCommand: Command = {
  ...COMMAND_TABLE.new,
  async run(ctx, args) {
    const name = args.positionals[0];
    if (!isModelName(name)) throw new UsageError(`"${name}" is not a model name: ${MODEL_NAME_RULE}`, 'pick a name such as churn-risk');
    const modelsDir = resolve(ctx.cwd, (args.flags['models-dir'] as string | undefined) ?? ctx.env[MODELS_DIR_ENV] ?? 'models');
    const dir = join(modelsDir, name);
    const shown = relative(ctx.cwd, dir) || '.';
    if (existsSync(dir)) throw new CliError(`${shown} already exists`, 'pick another name, or remove the folder first', EXIT.conflict);
    const files: Record<string, string> = {
      'model.yaml': scaffoldSpec({
        'name': name,
        'description': `What ${name} predicts (one line for people)`,
        'owner': 'ds-team@example.com',
        'data.schema': TEMPLATE_COLUMNS,
        'training.hyperparameters': TEMPLATE_HYPERPARAMETERS,
        'evaluation.metric': 'rmse',
        'inference.rules': { fallback: [{ name: 'typical-value', prediction: 0 }] },
      }, relative(dir, join(packageRoot(), SPEC_SCHEMA_PATH)).split('\\').join('/')),
      'Dockerfile': DOCKERFILE,
      'contract.py': CONTRACT_PY,
      'train.py': TRAIN_PY,
      'score.py': SCORE_PY,
      'generate_data.py': GENERATE_DATA_PY,
      'README.md': readme(name),
    };
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    if (ctx.json) { ctx.io.out(json({ model: name, folder: shown, files: Object.keys(files) })); return EXIT.ok; }
    ctx.io.out(`created ${shown}/: ${Object.keys(files).join(', ')}`);
    ctx.io.out(`next: ${mlopsCommand('validate', [name])}, then the local run in ${shown}/README.md`);
    return EXIT.ok;
  },
};

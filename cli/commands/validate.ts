import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { formatSpecReport, reportEntries, reportErrors, reportFor, validateModelSpecs } from '../../lib/checks/spec-report';
import { MODELS_DIR_ENV } from '../../lib/spec/models-dir';
import { COMMAND_TABLE } from '../command-table';
import { EXIT, NotFound } from '../errors';
import { json } from '../output';
import { Command } from './command';
import { validateDataFiles } from './data';

/**
 * `mlops validate [model]`: the report `cdk synth` prints (spec fields, construct preconditions,
 * pattern checks, acknowledgements), from the specs alone: no build, no synth, no AWS access.
 * Exit 0 when nothing fails (warnings may remain), 1 when something does.
 */
export const validateCommand: Command = {
  ...COMMAND_TABLE.validate,
  async run(ctx, args) {
    if (args.flags.data !== undefined) return validateDataFiles(ctx, args.positionals[0], args.flags.data as string, args.flags['models-dir']);
    const dir = resolve(ctx.cwd, (args.flags['models-dir'] as string | undefined) ?? ctx.env[MODELS_DIR_ENV] ?? 'models');
    const shown = relative(ctx.cwd, dir) || '.';
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new NotFound(`the models folder ${shown} does not exist`, `run mlops validate where models/<model>/model.yaml lives, or pass --models-dir <dir> (or set $${MODELS_DIR_ENV})`);
    }
    const all = validateModelSpecs(dir);
    const model = args.positionals[0];
    const report = model === undefined ? all : reportFor(all, model);
    if (report.specs.length === 0 && report.problems.length === 0) {
      throw new NotFound(model === undefined ? `no model specs in ${shown}` : `model "${model}" has no spec in ${shown}`,
        `write ${shown}/${model ?? '<model>'}/model.yaml, or pass --models-dir <dir>`);
    }
    const errors = reportErrors(report);
    if (ctx.json) ctx.io.out(json({ ok: errors === 0, errors, entries: reportEntries(report, ctx.cwd) }));
    else ctx.io.out(formatSpecReport(report, ctx.cwd));
    return errors === 0 ? EXIT.ok : EXIT.usage;
  },
};

import { join } from 'node:path';
import { PLATFORM_SCOPE, PRICE_SOURCES, PlatformCost } from '../../lib/cost';
import { ModelSpecError, loadModelSpecs } from '../../lib/spec/load-model-spec';
import { NotFound, UsageError } from '../errors';
import { usd } from '../../lib/cost/render';
import { json, table } from '../output';
import { COMMAND_TABLE } from '../command-table';
import { Command } from './command';

/** Where the specs are read: $MLOPS_MODELS_DIR, as for `cdk synth`, else ./models. */
export const MODELS_DIR_ENV = 'MLOPS_MODELS_DIR';

/** `mlops cost`: the platform's monthly bill, computed from the model specs alone (no AWS access). */
export const costCommand: Command = {
  ...COMMAND_TABLE.cost,
  async run(ctx, args) {
    const dir = ctx.env[MODELS_DIR_ENV] ?? join(ctx.cwd, 'models');
    let models;
    try {
      models = loadModelSpecs(dir);
    } catch (e) {
      if (e instanceof ModelSpecError) throw new UsageError(e.message, 'fix the spec fields listed above, then run mlops cost again');
      throw e;
    }
    const only = args.flags.model as string | undefined;
    if (only !== undefined) models = models.filter((m) => m.name === only);
    if (models.length === 0) {
      throw new NotFound(only === undefined ? `no model specs in ${dir}` : `model "${only}" has no spec in ${dir}`,
        `write ${dir}/<model>/model.yaml, or point $${MODELS_DIR_ENV} at the folder that holds the specs`);
    }
    const month = args.flags.month === undefined ? undefined : Number(args.flags.month);
    let cost: PlatformCost;
    try {
      cost = new PlatformCost({ models, region: args.flags.region as string | undefined, monthOfOperation: month });
    } catch (e) {
      throw new UsageError((e as Error).message, 'see mlops cost --help');
    }
    if (ctx.json) {
      ctx.io.out(json({
        region: cost.region, pricesAsOf: cost.pricesAsOf, priceSources: PRICE_SOURCES, monthOfOperation: cost.monthOfOperation,
        totalUsd: cost.totalUsd, scopes: Object.fromEntries(cost.scopes.map((s) => [s, cost.scopeUsd(s)])),
        lines: cost.lines, frontEnds: cost.frontEnds,
      }));
      return 0;
    }
    ctx.io.out(table(cost.lines.map((l) => ({ ...l, usd: usd(l.usd) })), ['scope', 'group', 'item', 'quantity', 'usd']));
    ctx.io.out('');
    ctx.io.out(table([
      ...cost.scopes.map((s) => ({ scope: s, usd: usd(cost.scopeUsd(s)) })),
      { scope: 'TOTAL', usd: usd(cost.totalUsd) },
    ], ['scope', 'usd']));
    ctx.io.out('');
    ctx.io.out(table(cost.frontEnds.map((f) => ({ ...f, serviceUsd: usd(f.serviceUsd), apiUsd: usd(f.apiUsd) })), ['model', 'serving', 'cheaper', 'serviceUsd', 'apiUsd']));
    ctx.io.out('');
    ctx.io.out(`USD a month, month ${cost.monthOfOperation} of operation, ${cost.region} list prices of ${cost.pricesAsOf} (lib/cost/prices.ts; sources: ${Object.values(PRICE_SOURCES).join(' ')}). `
      + `An estimate, not a quote: "${PLATFORM_SCOPE}" is what the models share; serving costs exclude DynamoDB reads (under "store").`);
    return 0;
  },
};

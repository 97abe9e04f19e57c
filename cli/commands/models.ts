import { ModelRecord } from '../../lambda/shared/registry';
import { mlopsCommand } from '../command-line';
import { json, shortTime, table } from '../output';
import { COMMAND_TABLE } from '../command-table';
import { Command } from './command';

/** `mlops models`: every model with its categories and production versions. */
export const modelsCommand: Command = {
  ...COMMAND_TABLE.models,
  async run(ctx) {
    const registry = await ctx.registry();
    const models: ModelRecord[] = [];
    let nextToken: string | undefined;
    do {
      const page = await registry.listModels({ nextToken });
      models.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    const rows = await Promise.all(models.map(async (m) => {
      const production: Record<string, number | null> = {};
      for (const c of m.categories) production[c] = (await registry.getProduction(m.model, c))?.version ?? null;
      return { ...m, production };
    }));
    if (ctx.json) { ctx.io.out(json(rows)); return 0; }
    if (rows.length === 0) { ctx.io.out(`No models yet: a model appears after its first training run (\`${mlopsCommand('train', ['<model>'])}\`).`); return 0; }
    ctx.io.out(table(rows.map((m) => ({
      model: m.model,
      production: Object.entries(m.production).map(([c, v]) => `${c}:${v === null ? '-' : `v${v}`}`).join(' ') || '-',
      owner: m.owner,
      created: shortTime(m.createdAt),
      description: m.description,
    })), ['model', 'production', 'owner', 'created', 'description']));
    return 0;
  },
};

// Helpers shared by commands: the categories a command acts on, version numbers.
import { ModelRegistryClient } from '../../lambda/shared/registry';
import { mlopsCommand } from '../command-line';
import { NotFound, UsageError } from '../errors';

/** The categories a command works on: the one asked for, or all the model has. */
export async function categoriesOf(registry: ModelRegistryClient, model: string, category: string | undefined): Promise<string[]> {
  const record = await registry.getModel(model);
  if (!record) throw new NotFound(`model "${model}" does not exist`, `list the models with \`${mlopsCommand('models')}\` (a model appears after its first training run)`);
  if (category !== undefined) return [category];
  if (record.categories.length === 0) throw new NotFound(`model "${model}" has no versions yet`, `train it with \`${mlopsCommand('train', [model])}\``);
  return record.categories;
}

/**
 * The single category a command acts on: `--category`, or the model's only one. `retry` renders
 * the same command with a category, for the fix.
 */
export async function oneCategory(registry: ModelRegistryClient, model: string, category: string | undefined, retry: (category: string) => string): Promise<string> {
  const all = await categoriesOf(registry, model, category);
  if (all.length > 1) {
    throw new UsageError(`model "${model}" has ${all.length} categories (${all.join(', ')}); say which one`, `add --category <name>, e.g. \`${retry(all[0])}\``);
  }
  return all[0];
}

export function parseVersion(text: string, what = 'version'): number {
  const v = /^v?(\d+)$/.exec(text);
  if (!v || Number(v[1]) < 1) throw new UsageError(`${what} "${text}" is not a version number`, `use a whole number from 1 up (e.g. 3 or v3), as listed by \`${mlopsCommand('versions', ['<model>'])}\``);
  return Number(v[1]);
}

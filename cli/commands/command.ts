import { FlagSpec, ParsedArgs } from '../args';
import { CliContext } from '../context';

/** One `mlops` sub-command. */
export interface Command {
  readonly name: string;
  /** Positionals and options, e.g. `<model> [--category <name>]`. */
  readonly usage: string;
  readonly summary: string;
  readonly flags: Record<string, FlagSpec>;
  /** Names of the positionals, required first; `optional` counts the trailing optional ones. */
  readonly positionals: readonly string[];
  readonly optional?: number;
  run(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

export const categoryFlag: FlagSpec = { type: 'string', value: '<category>', description: 'Only this category (default: every category of the model).' };

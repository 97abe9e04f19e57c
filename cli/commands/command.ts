import { ParsedArgs } from '../args';
import { CommandSpec } from '../command-table';
import { CliContext } from '../context';

/** One `mlops` sub-command: its declaration in the command table plus what it does. */
export interface Command extends CommandSpec {
  run(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

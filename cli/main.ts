// `mlops`: the data scientist's command line. `main` is importable (tests run it in-process with
// stubbed clients); cli/mlops.ts is the executable. What each command accepts is declared in
// command-table.ts; what it does lives in commands/.
import { Command } from './commands/command';
import { costCommand } from './commands/cost';
import { dataLsCommand, dataPutCommand } from './commands/data';
import { localDownCommand, localIngestCommand, localScoreCommand, localServeCommand, localTrainCommand, localUpCommand } from './commands/local';
import { logsCommand } from './commands/logs';
import { modelsCommand } from './commands/models';
import { newCommand } from './commands/new';
import { approveCommand, historyCommand, promoteCommand, rejectCommand, rollbackCommand } from './commands/promotion';
import { runsCommand } from './commands/runs';
import { artifactsCommand, noteCommand, tagCommand } from './commands/run-records';
import { scoreCommand, statusCommand } from './commands/serving';
import { stopCommand } from './commands/stop';
import { trainCommand } from './commands/train';
import { uiCommand } from './commands/ui';
import { validateCommand } from './commands/validate';
import { bestCommand, compareCommand, versionsCommand } from './commands/versions';
import { globalFlagsLast, parseCommandLine, withHintFlags } from './command-line';
import { CommandSpec, GLOBAL_FLAGS } from './command-table';
import { CliContext, CliDeps } from './context';
import { describeError } from './describe-error';
import { EXIT } from './errors';
import { alive, localDir, readLocalState } from './local-state';
import { CliIo } from './output';

export const COMMANDS: readonly Command[] = [
  modelsCommand, versionsCommand, runsCommand, bestCommand, compareCommand, tagCommand, noteCommand, artifactsCommand,
  promoteCommand, rollbackCommand, historyCommand, statusCommand, scoreCommand, trainCommand, approveCommand, rejectCommand,
  costCommand, logsCommand, stopCommand, validateCommand, newCommand, dataPutCommand, dataLsCommand,
  localUpCommand, localIngestCommand, localTrainCommand, localScoreCommand, localServeCommand, localDownCommand,
  uiCommand,
];

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  const [name] = globalFlagsLast(argv);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  try {
    const { command: spec, args } = parseCommandLine(argv);
    if (args.flags.help) { io.out(commandUsage(spec)); return EXIT.ok; }
    const command = COMMANDS.find((c) => c.name === spec.name)!;
    const ctx = new CliContext(io, {
      json: args.flags.json === true,
      platform: args.flags.platform as string | undefined,
      registryTable: args.flags['registry-table'] as string | undefined,
      actor: args.flags.actor as string | undefined,
      local: args.flags.local === true,
    }, deps);
    return await withHintFlags(args.flags.local === true ? { local: true } : {}, () => command.run(ctx, args));
  } catch (e) {
    const env = deps.env ?? process.env;
    const { code, message, fix } = describeError(e, env, !argv.includes('--local') && localUpIn(deps.cwd ?? process.cwd(), env));
    io.err(`error: ${message}`);
    if (fix) io.err(`fix: ${fix}`);
    return code;
  }
}

/** True when a live `mlops local up` platform keeps its state in this folder (an unreadable state counts as none). */
function localUpIn(cwd: string, env: Record<string, string | undefined>): boolean {
  try {
    const state = readLocalState(localDir(cwd, env));
    return state !== undefined && alive(state.daemonPid);
  } catch {
    return false;
  }
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'mlops: train, compare, promote and roll back models of a cdk-mlops platform.',
    '',
    'Usage: mlops <command> [arguments] [--json] [--platform <name>]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...Object.entries(GLOBAL_FLAGS).map(([k, f]) => `  --${k}${f.value ? ` ${f.value}` : ''}: ${f.description}`),
    '',
    'Exit codes: 0 ok, 1 usage or invalid input, 2 not found, 3 conflict, 4 other error.',
    'Run `mlops <command> --help` for a command\'s options.',
  ].join('\n');
}

function commandUsage(c: CommandSpec): string {
  return [
    `mlops ${c.name} ${c.usage}`,
    '',
    c.summary,
    '',
    'Options:',
    ...Object.entries({ ...c.flags, ...GLOBAL_FLAGS }).map(([k, f]) => `  --${k}${f.value ? ` ${f.value}` : ''}${f.required ? ' (required)' : ''}: ${f.description}`),
  ].join('\n');
}

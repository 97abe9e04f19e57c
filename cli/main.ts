// `mlops`: the data scientist's command line. `main` is importable (tests run it in-process with
// stubbed clients); cli/mlops.ts is the executable.
import { FlagSpec, parseArgs } from './args';
import { bestCommand, compareCommand, versionsCommand } from './commands/versions';
import { Command } from './commands/command';
import { costCommand } from './commands/cost';
import { modelsCommand } from './commands/models';
import { approveCommand, historyCommand, promoteCommand, rejectCommand, rollbackCommand } from './commands/promotion';
import { runsCommand } from './commands/runs';
import { trainCommand } from './commands/train';
import { CLI_ENV, CliContext, CliDeps } from './context';
import { EXIT, UsageError, describeError } from './errors';
import { CliIo } from './output';

export const COMMANDS: readonly Command[] = [
  modelsCommand, versionsCommand, runsCommand, bestCommand, compareCommand,
  promoteCommand, rollbackCommand, historyCommand, trainCommand, approveCommand, rejectCommand,
  costCommand,
];

const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  'json': { type: 'boolean', description: 'Print JSON for scripts instead of tables.' },
  'platform': { type: 'string', value: '<name>', description: `Platform to use (default: $${CLI_ENV.platform} or "default").` },
  'registry-table': { type: 'string', value: '<table>', description: `Registry table, instead of the platform's SSM parameter (or $${CLI_ENV.registryTable}).` },
  'actor': { type: 'string', value: '<name>', description: `Who is acting, for the audit trail (default: $${CLI_ENV.actor} or cli:<user>).` },
  'help': { type: 'boolean', description: 'Show help.' },
};

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`, `use one of ${COMMANDS.map((c) => c.name).join(', ')} (mlops --help)`);
    const args = parseArgs(rest, { ...command.flags, ...GLOBAL_FLAGS }, command.name);
    if (args.flags.help) { io.out(commandUsage(command)); return EXIT.ok; }
    const min = command.positionals.length - (command.optional ?? 0);
    if (args.positionals.length < min || args.positionals.length > command.positionals.length) {
      const missing = command.positionals.slice(args.positionals.length).map((p) => `<${p}>`).join(' ');
      throw new UsageError(args.positionals.length < min ? `missing ${missing}` : `unexpected argument "${args.positionals[command.positionals.length]}"`,
        `usage: mlops ${command.name} ${command.usage}`);
    }
    const ctx = new CliContext(io, {
      json: args.flags.json === true,
      platform: args.flags.platform as string | undefined,
      registryTable: args.flags['registry-table'] as string | undefined,
      actor: args.flags.actor as string | undefined,
    }, deps);
    return await command.run(ctx, args);
  } catch (e) {
    const { code, message, fix } = describeError(e);
    io.err(`error: ${message}`);
    if (fix) io.err(`fix: ${fix}`);
    return code;
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

function commandUsage(c: Command): string {
  return [
    `mlops ${c.name} ${c.usage}`,
    '',
    c.summary,
    '',
    'Options:',
    ...Object.entries({ ...c.flags, ...GLOBAL_FLAGS }).map(([k, f]) => `  --${k}${f.value ? ` ${f.value}` : ''}: ${f.description}`),
  ].join('\n');
}

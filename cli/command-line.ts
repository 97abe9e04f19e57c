// A whole `mlops` command line, checked against the command table: the command exists, its
// flags are known, the positionals are all there and required flags are given. `main` runs
// what this accepts, and `mlopsCommand` renders the command lines the platform prints through
// the same check, so every printed hint is one the CLI runs.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ParsedArgs, parseArgs } from './args';
import { COMMAND_TABLE, CommandName, CommandSpec, GLOBAL_FLAGS, commandSpec } from './command-table';
import { UsageError } from './errors';

export interface CommandLine {
  readonly command: CommandSpec;
  readonly args: ParsedArgs;
}

/** Parses `mlops <argv>`; throws a UsageError that names the problem and the fix. */
export function parseCommandLine(input: readonly string[]): CommandLine {
  const argv = globalFlagsLast(input);
  // Two-word commands (`data put`) come first, so `mlops data put` never reads `put` as a positional.
  const twoWords = argv.length > 1 ? commandSpec(`${argv[0]} ${argv[1]}`) : undefined;
  const [name, ...rest] = twoWords ? [twoWords.name, ...argv.slice(2)] : argv;
  const command = twoWords ?? (name === undefined ? undefined : commandSpec(name));
  if (!command) {
    // `mlops local` and `mlops local --help` name the group's commands rather than calling it unknown.
    const group = Object.keys(COMMAND_TABLE).filter((c) => name !== undefined && c.startsWith(`${name} `));
    if (group.length > 0) throw new UsageError(`"${name}" needs a subcommand: ${group.map((c) => `mlops ${c}`).join(', ')}`, `run one, e.g. mlops ${group[0]} --help`);
    throw new UsageError(`unknown command "${name ?? ''}"`, `use one of ${Object.keys(COMMAND_TABLE).join(', ')} (mlops --help)`);
  }
  const args = parseArgs(rest, { ...command.flags, ...GLOBAL_FLAGS }, command.name);
  if (args.flags.help) return { command, args };
  const min = command.positionals.length - (command.optional ?? 0);
  const max = command.variadic ? Infinity : command.positionals.length;
  if (args.positionals.length < min || args.positionals.length > max) {
    const missing = command.positionals.slice(args.positionals.length).map((p) => `<${p}>`).join(' ');
    throw new UsageError(args.positionals.length < min ? `missing ${missing}` : `unexpected argument "${args.positionals[command.positionals.length]}"`,
      `usage: mlops ${command.name} ${command.usage}`);
  }
  for (const [flag, f] of Object.entries(command.flags)) {
    if (f.required && args.flags[flag] === undefined) throw new UsageError(`--${flag} is required`, `add --${flag} ${f.value ?? '<value>'}`);
  }
  return { command, args };
}

/** Splits a printed command line into arguments as a POSIX shell does for plain words, "..." (with backslash escapes) and '...'. */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else word += quote === '"' && c === '\\' && i + 1 < text.length ? text[++i] : c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new UsageError(`unterminated ${quote} in: ${text}`, 'close the quote');
  if (word !== undefined) words.push(word);
  return words;
}

const PLAIN = /^[A-Za-z0-9_./:=@%+,-]+$/;
const PLACEHOLDER = /^<[A-Za-z0-9_-]+>$/;

/** A word as a shell reads it back; a bare placeholder only where usage texts show one (`<model>`, not `--reason "<why>"`). */
function shellWord(word: string, barePlaceholder: boolean): string {
  return PLAIN.test(word) || (barePlaceholder && PLACEHOLDER.test(word)) ? word : `"${word.replace(/["\\$`]/g, '\\$&')}"`;
}

/** Global flags of the running command that its printed hints carry too (--local: an undo must not reach AWS). */
const HINT_FLAGS = new AsyncLocalStorage<Record<string, true>>();

/** Runs `fn` so that every hint it renders with mlopsCommand carries `flags` (e.g. `{ local: true }`). */
export function withHintFlags<T>(flags: Record<string, true>, fn: () => T): T {
  return HINT_FLAGS.run(flags, fn);
}

/**
 * The command line `mlops <name> <positionals...> --flag value...`, for the hints the platform
 * prints (e-mails, alarm runbooks, error fixes). Positionals may be placeholders (`<model>`).
 * Throws when the table refuses it: an unknown command or flag, a missing positional or a
 * missing required flag.
 */
export function mlopsCommand(name: CommandName, positionals: readonly string[] = [], flags: Record<string, string | boolean | readonly string[]> = {}): string {
  const words = [name, ...positionals.map((p) => shellWord(p, true))];
  const ambient = name.startsWith('local ') ? {} : HINT_FLAGS.getStore() ?? {};
  for (const [flag, value] of Object.entries({ ...flags, ...ambient })) {
    if (value === false) continue;
    if (value === true) words.push(`--${flag}`);
    // `--reason=--json`: a value that looks like an option is attached, as the parser wants it.
    else for (const v of typeof value === 'string' ? [value] : value) words.push(...(v.startsWith('-') ? [`--${flag}=${shellWord(v, false)}`] : [`--${flag}`, shellWord(v, false)]));
  }
  const text = `mlops ${words.join(' ')}`;
  try {
    parseCommandLine(splitCommandLine(text).slice(1));
  } catch (e) {
    throw new Error(`cdk-mlops: the hint "${text}" is not a command the mlops CLI runs: ${(e as Error).message}`);
  }
  return text;
}

/**
 * Global flags written before the command (`mlops --local models`, as with git) move after it,
 * where the command's parser reads them; a string flag takes its value along.
 */
export function globalFlagsLast(argv: readonly string[]): readonly string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i].startsWith('--')) {
    const [name, inline] = argv[i].slice(2).split('=', 2);
    const flag = GLOBAL_FLAGS[name];
    if (!flag || name === 'help') break;
    const takesNext = flag.type === 'string' && inline === undefined && i + 1 < argv.length;
    leading.push(...argv.slice(i, i + (takesNext ? 2 : 1)));
    i += takesNext ? 2 : 1;
  }
  return i === 0 ? argv : [...argv.slice(i), ...leading];
}

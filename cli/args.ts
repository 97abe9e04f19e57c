// A small argument parser: positionals, `--flag value`, `--flag=value`, boolean switches and
// repeatable options. Unknown flags are usage errors that name the flags the command knows.
import { UsageError } from './errors';

export interface FlagSpec {
  /** `string` takes a value, `boolean` is a switch, `list` takes a value and may repeat. */
  readonly type: 'string' | 'boolean' | 'list';
  readonly description: string;
  /** Placeholder shown in help, e.g. `<name>`. */
  readonly value?: string;
  /** The command refuses to run without it. @default false */
  readonly required?: boolean;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Record<string, string | boolean | string[] | undefined>;
}

/**
 * Parses `argv` against the command's flags. Flags are looked up as own properties only
 * (`--constructor` is unknown, not Object.prototype's). A flag that takes one value may be given
 * once. The argument after a value-taking flag is its value even when it starts with `--`
 * (`--reason "--force was wrong"`), unless it is one of this command's own options: then the
 * value is missing (write `--reason=--json` to pass that text).
 */
export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>, command: string): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean | string[] | undefined> = {};
  const known = (name: string) => Object.hasOwn(spec, name);
  const isOption = (arg: string) => arg.startsWith('--') && known(arg.slice(2).split('=')[0]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('--')) { positionals.push(arg); continue; }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!known(name)) {
      throw new UsageError(`unknown option --${name} for "mlops ${command}"`, `use one of ${Object.keys(spec).map((k) => `--${k}`).join(', ')}, or see \`mlops ${command} --help\``);
    }
    const f = spec[name];
    if (f.type === 'boolean') {
      if (eq !== -1) {
        const v = arg.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new UsageError(`--${name}=${v} is not true or false`, `write --${name} alone, or --${name}=false`);
        flags[name] = v === 'true';
      } else {
        flags[name] = true;
      }
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !isOption(argv[i + 1])) value = argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`, `write --${name} ${f.value ?? '<value>'}`);
    if (f.type === 'list') {
      flags[name] = [...(flags[name] as string[] | undefined ?? []), value];
    } else {
      if (flags[name] !== undefined) {
        throw new UsageError(`--${name} is given twice (${JSON.stringify(flags[name])}, ${JSON.stringify(value)})`, `give --${name} once`);
      }
      flags[name] = value;
    }
  }
  return { positionals, flags };
}

// A small field-descriptor toolkit: each descriptor knows its JSON Schema, its default (in the
// human form a data scientist writes) and how to check and resolve a YAML value. The model spec
// is declared once with these (spec-fields.ts); the JSON Schema, the validation and the defaults
// all come from that one declaration.
import { DURATION_PATTERN, SIZE_PATTERN, formatDuration, parseDuration, parseSize } from './units';

/** One problem found in a spec file. */
export interface SpecProblem {
  /** The spec file (as given to the loader). */
  readonly file: string;
  /** Dotted field path, e.g. `inference.slo.p95`, `categories[2]`; empty for the whole file. */
  readonly path: string;
  /** The value found (undefined when missing). */
  readonly value: unknown;
  /** What was expected. */
  readonly expected: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Formats a problem as one line: file, field path, value, expectation and fix. */
export function formatProblem(p: SpecProblem): string {
  const where = p.path ? `${p.file}: ${p.path}` : p.file;
  return `${where}: ${describeValue(p.value)} is invalid: expected ${p.expected}. Fix: ${p.fix}`;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 60)}...` : s;
}

/** What resolution needs: where problems go, and the spec's folder for relative paths. */
export interface ResolveContext {
  readonly file: string;
  readonly dir: string;
  readonly problems: SpecProblem[];
  /**
   * Keep going past a bad value, so later checks still run (`mlops validate` reports every
   * problem in one pass): a bad field takes its default (or its placeholder), a bad list item or
   * rule is left out. The problem is recorded either way.
   */
  readonly lenient?: boolean;
  /** Per written block (dotted path), the keys it left out and the defaults took. */
  readonly defaulted?: Map<string, string[]>;
}

export type JsonSchema = Record<string, unknown>;

/** A field of the spec: `T` is the resolved type. */
export interface Field<T> {
  /** Key in the YAML when it differs from the resolved property name (e.g. `ttl` -> `ttlSeconds`). */
  readonly key?: string;
  readonly required: boolean;
  readonly description: string;
  /** Default in the human YAML form; resolved like a written value. */
  readonly default?: unknown;
  /** A stand-in for a required value that is missing or bad, so a lenient parse can go on. */
  readonly placeholder?: unknown;
  schema(): JsonSchema;
  /** Resolves a present value; on a problem, records it and returns undefined. */
  parse(value: unknown, path: string, ctx: ResolveContext): T | undefined;
}

interface Common {
  readonly description: string;
  readonly key?: string;
  readonly required?: boolean;
  readonly default?: unknown;
  readonly placeholder?: unknown;
  readonly examples?: unknown[];
}

function problem(ctx: ResolveContext, path: string, value: unknown, expected: string, fix: string): undefined {
  ctx.problems.push({ file: ctx.file, path, value, expected, fix });
  return undefined;
}

function base(o: Common, schema: JsonSchema): JsonSchema {
  return {
    description: o.description,
    ...schema,
    ...(o.default !== undefined ? { default: o.default } : {}),
    ...(o.examples ? { examples: o.examples } : {}),
  };
}

/** A string, optionally with a pattern and an extra check returning the expectation when it fails. */
export function text(o: Common & {
  readonly pattern?: string;
  /** Fewest characters, surrounding white space not counted. @default 1 */
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Describes the expected form, e.g. 'lowercase letters, digits and hyphens'. */
  readonly expected?: string;
  readonly fix?: string;
  readonly check?: (v: string) => string | undefined;
}): Field<string> {
  return {
    key: o.key, required: o.required ?? false, description: o.description, default: o.default, placeholder: o.placeholder,
    schema: () => base(o, { type: 'string', minLength: o.minLength ?? 1, ...(o.pattern ? { pattern: o.pattern } : {}), ...(o.maxLength ? { maxLength: o.maxLength } : {}) }),
    parse(value, path, ctx) {
      const expected = o.expected ?? 'a non-empty string';
      const fix = o.fix ?? `write ${o.examples?.length ? JSON.stringify(o.examples[0]) : 'a value'}`;
      if (typeof value !== 'string' || value.trim() === '') return problem(ctx, path, value, expected, fix);
      if (o.pattern && !new RegExp(o.pattern).test(value)) return problem(ctx, path, value, expected, fix);
      if (o.maxLength && value.length > o.maxLength) return problem(ctx, path, value, `${expected} of at most ${o.maxLength} characters`, 'shorten it');
      if (o.minLength && value.trim().length < o.minLength) return problem(ctx, path, value, `${expected} of at least ${o.minLength} characters`, fix);
      const wrong = o.check?.(value);
      if (wrong) return problem(ctx, path, value, wrong, fix);
      return value;
    },
  };
}

/** One of a fixed set of strings. */
export function choice<E extends string>(values: readonly E[], o: Common): Field<E> {
  return {
    key: o.key, required: o.required ?? false, description: o.description, default: o.default,
    schema: () => base(o, { type: 'string', enum: [...values] }),
    parse(value, path, ctx) {
      if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as E;
      const near = typeof value === 'string' ? values.find((v) => v.toLowerCase() === value.toLowerCase()) : undefined;
      return problem(ctx, path, value, `one of ${values.map((v) => `"${v}"`).join(', ')}`, near ? `write "${near}" (lowercase)` : `pick one of ${values.join(', ')}`);
    },
  };
}

/** A number within bounds; `integer` for whole numbers. */
export function num(o: Common & { readonly min?: number; readonly max?: number; readonly integer?: boolean; readonly exclusiveMin?: boolean }): Field<number> {
  const kind = o.integer ? 'a whole number' : 'a number';
  const range = [
    o.min !== undefined ? `${o.exclusiveMin ? '>' : '>='} ${o.min}` : undefined,
    o.max !== undefined ? `<= ${o.max}` : undefined,
  ].filter(Boolean).join(' and ');
  const expected = range ? `${kind} ${range}` : kind;
  return {
    key: o.key, required: o.required ?? false, description: o.description, default: o.default,
    schema: () => base(o, {
      type: o.integer ? 'integer' : 'number',
      ...(o.min !== undefined ? (o.exclusiveMin ? { exclusiveMinimum: o.min } : { minimum: o.min }) : {}),
      ...(o.max !== undefined ? { maximum: o.max } : {}),
    }),
    parse(value, path, ctx) {
      const ok = typeof value === 'number' && Number.isFinite(value) && (!o.integer || Number.isInteger(value))
        && (o.min === undefined || (o.exclusiveMin ? value > o.min : value >= o.min)) && (o.max === undefined || value <= o.max);
      if (ok) return value;
      const fix = typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))
        ? `write ${value} without quotes` : `write ${expected}${o.examples?.length ? `, e.g. ${o.examples[0]}` : ''}`;
      return problem(ctx, path, value, expected, fix);
    },
  };
}

export function bool(o: Common): Field<boolean> {
  return {
    key: o.key, required: o.required ?? false, description: o.description, default: o.default,
    schema: () => base(o, { type: 'boolean' }),
    parse(value, path, ctx) {
      if (typeof value === 'boolean') return value;
      return problem(ctx, path, value, 'true or false', 'write true or false without quotes');
    },
  };
}

/** A human duration (`3d`, `500ms`, `1h30m`) resolved to milliseconds or seconds. */
export function duration(o: Common & { readonly unit: 'ms' | 's'; readonly min?: string; readonly max?: string }): Field<number> {
  const minMs = o.min === undefined ? undefined : parseDuration(o.min)!;
  const maxMs = o.max === undefined ? undefined : parseDuration(o.max)!;
  const bounds = [o.min ? `at least ${o.min}` : undefined, o.max ? `at most ${o.max}` : undefined].filter(Boolean).join(' and ');
  return {
    key: o.key, required: o.required ?? false, description: o.description, default: o.default,
    schema: () => base(o, { type: 'string', pattern: DURATION_PATTERN }),
    parse(value, path, ctx) {
      const ms = typeof value === 'string' ? parseDuration(value) : undefined;
      if (ms === undefined) {
        const fix = typeof value === 'number'
          ? `add a unit: "${value}${o.unit}" (a bare number is ambiguous)`
          : 'use a number and a unit: ms, s, m, h, d or w (e.g. "3d", "12h", "500ms", "1h30m")';
        return problem(ctx, path, value, 'a duration such as "3d", "12h" or "500ms"', fix);
      }
      if ((minMs !== undefined && ms < minMs) || (maxMs !== undefined && ms > maxMs)) {
        return problem(ctx, path, value, `a duration ${bounds}`, `use a value ${bounds}`);
      }
      return o.unit === 's' ? Math.round(ms / 1000) : ms;
    },
  };
}

/** A human size (`30GiB`) resolved to GiB (rounded up). */
export function sizeGiB(o: Common & { readonly min?: number; readonly max?: number }): Field<number> {
  return {
    key: o.key, required: o.required ?? false, description: o.description, default: o.default,
    schema: () => base(o, { type: 'string', pattern: SIZE_PATTERN }),
    parse(value, path, ctx) {
      const bytes = typeof value === 'string' ? parseSize(value) : undefined;
      if (bytes === undefined) {
        const fix = typeof value === 'number' ? `add a unit: "${value}GiB"` : 'use a number and a unit: B, KB, MB, GB, TB, KiB, MiB, GiB or TiB (e.g. "30GiB")';
        return problem(ctx, path, value, 'a size such as "30GiB"', fix);
      }
      const gib = Math.ceil(bytes / 2 ** 30);
      if ((o.min !== undefined && gib < o.min) || (o.max !== undefined && gib > o.max)) {
        return problem(ctx, path, value, `a size from ${o.min ?? 0}GiB to ${o.max}GiB`, `use a size in that range, e.g. "${o.min ?? 1}GiB"`);
      }
      return gib;
    },
  };
}

/** Any JSON value (rule answers and compared values). */
export function json(o: Common): Field<any> {
  return {
    key: o.key, required: o.required ?? false, description: o.description, default: o.default,
    schema: () => base(o, {}),
    parse: (value) => value,
  };
}

/** A map of names to strings, numbers or booleans, resolved to strings (hyperparameters). */
export function stringMap(o: Common & { readonly keyPattern: string }): Field<Record<string, string>> {
  return {
    key: o.key, required: o.required ?? false, description: o.description, default: o.default,
    schema: () => base(o, {
      type: 'object',
      propertyNames: { pattern: o.keyPattern },
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    }),
    parse(value, path, ctx) {
      if (!isObject(value)) return problem(ctx, path, value, 'a map of name: value', 'write one "name: value" per line under the key');
      const out: Record<string, string> = {};
      let ok = true;
      for (const [k, v] of Object.entries(value)) {
        if (!new RegExp(o.keyPattern).test(k)) {
          ok = problem(ctx, `${path}.${k}`, k, 'a name of letters, digits, "_", "." or "-" starting with a letter or "_"', 'rename it') ?? false;
        } else if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
          out[k] = String(v);
        } else {
          ok = problem(ctx, `${path}.${k}`, v, 'a string, number or boolean', 'write a single value (lists and maps cannot be passed to the container)') ?? false;
        }
      }
      return ok ? out : undefined;
    },
  };
}

/** A list of items. */
export function list<T>(item: Field<T>, o: Common & { readonly minItems?: number; readonly maxItems?: number; readonly uniqueBy?: (t: T) => string }): Field<T[]> {
  return {
    key: o.key, required: o.required ?? false, description: o.description, default: o.default,
    schema: () => base(o, {
      type: 'array', items: item.schema(),
      ...(o.minItems !== undefined ? { minItems: o.minItems } : {}),
      ...(o.maxItems !== undefined ? { maxItems: o.maxItems } : {}),
    }),
    parse(value, path, ctx) {
      if (!Array.isArray(value)) return problem(ctx, path, value, 'a list', 'write the items as a YAML list ("- item" lines, or [a, b])');
      if (o.minItems !== undefined && value.length < o.minItems) return problem(ctx, path, value, `at least ${o.minItems} item(s)`, 'add items or remove the key to use the default');
      if (o.maxItems !== undefined && value.length > o.maxItems) return problem(ctx, path, value, `at most ${o.maxItems} items`, 'remove items');
      const out: T[] = [];
      let ok = true;
      const seen = new Map<string, number>();
      value.forEach((raw, i) => {
        const r = item.parse(raw, `${path}[${i}]`, ctx);
        if (r === undefined) { ok = false; return; }
        if (o.uniqueBy) {
          const id = o.uniqueBy(r);
          if (seen.has(id)) { ok = problem(ctx, `${path}[${i}]`, raw, `a unique entry ("${id}" is already item ${seen.get(id)})`, 'remove or rename the duplicate') ?? false; return; }
          seen.set(id, i);
        }
        out.push(r);
      });
      return ok || ctx.lenient ? out : undefined;
    },
  };
}

/** Properties of an object descriptor, keyed by the resolved property name. */
export type Props<T> = { readonly [K in keyof T]-?: Field<T[K]> };

/** An object with known properties; unknown keys are reported with the closest known name. */
export function obj<T>(props: Props<T>, o: Common & {
  readonly title?: string;
  /** Keys accepted and ignored (e.g. `$schema`). */
  readonly extraKeys?: readonly string[];
}): Field<T> {
  const entries = Object.entries(props) as Array<[string, Field<unknown>]>;
  const yamlKey = (name: string, f: Field<unknown>) => f.key ?? name;
  return {
    key: o.key, required: o.required ?? false, description: o.description, default: o.default ?? (o.required ? undefined : {}), placeholder: o.placeholder,
    schema: () => ({
      ...(o.title ? { title: o.title } : {}),
      description: o.description,
      type: 'object',
      properties: Object.fromEntries([
        ...(o.extraKeys ?? []).map((k) => [k, { type: 'string', description: 'Ignored by the platform (e.g. `$schema` for editors).' }]),
        ...entries.map(([name, f]) => [yamlKey(name, f), f.schema()]),
      ]),
      required: entries.filter(([, f]) => f.required).map(([name, f]) => yamlKey(name, f)),
      additionalProperties: false,
    }),
    parse(value, path, ctx) {
      if (!isObject(value)) return problem(ctx, path, value, 'a map of fields', `write the fields of ${path || 'the spec'} as "name: value" lines, indented under the key`);
      const known = new Set([...entries.map(([name, f]) => yamlKey(name, f)), ...(o.extraKeys ?? [])]);
      for (const k of Object.keys(value)) {
        if (known.has(k)) continue;
        const near = closest(k, [...known]);
        problem(ctx, join(path, k), value[k], `one of the fields ${[...known].filter((x) => !x.startsWith('$')).join(', ')}`, near ? `did you mean "${near}"?` : 'remove it');
      }
      const out: Record<string, unknown> = {};
      const defaulted: string[] = [];
      let ok = true;
      for (const [name, f] of entries) {
        const key = yamlKey(name, f);
        const raw = value[key];
        const p = join(path, key);
        if (raw === undefined || raw === null) {
          if (f.default !== undefined) {
            out[name] = f.parse(f.default, p, ctx);
            defaulted.push(key);
          } else if (f.required) {
            problem(ctx, p, undefined, `a value for "${key}" (${f.description})`, `add "${key}:"`);
            ok = standIn(f, p, ctx, out, name);
          }
          continue;
        }
        const r = f.parse(raw, p, ctx);
        out[name] = r;
        if (r === undefined) ok = standIn(f, p, ctx, out, name);
      }
      if (defaulted.length > 0 && defaulted.length < entries.length) ctx.defaulted?.set(path, defaulted);
      return ok ? out as T : undefined;
    },
  };
}

// Lenient parsing: a bad field takes its default or placeholder (its problem is already recorded).
function standIn(f: Field<unknown>, path: string, ctx: ResolveContext, out: Record<string, unknown>, name: string): boolean {
  const stand = f.default ?? f.placeholder;
  if (!ctx.lenient || stand === undefined) return false;
  out[name] = f.parse(stand, path, { ...ctx, problems: [] });
  return out[name] !== undefined;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The known name closest to a misspelt one (edit distance <= 2, or a case-insensitive match). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = 3;
  for (const c of candidates) {
    if (c.toLowerCase() === word.toLowerCase()) return c;
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) { best = c; bestDist = d; }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

export { formatDuration };

// Issue 16 §5: the examples a data scientist copies agree with what the platform accepts. Every
// `examples` value of the JSON Schema loads with the real spec loader; every `mlops ...` command
// line of docs/*.md and README.md parses with the real CLI parser (unknown commands and flags
// fail); the `--help` texts name only flags their command takes and promise no default the
// command refuses; the guide's complete spec loads.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { PATTERN_CHECKS } from '../../lib/checks/run-pattern-checks';
import { inspectModelSpecObject, parseModelSpecText } from '../../lib/spec/load-model-spec';
import { parseCommandLine, splitCommandLine } from '../../cli/command-line';
import { COMMAND_TABLE, CommandSpec, GLOBAL_FLAGS } from '../../cli/command-table';
import { run, seededRegistry } from '../cli/support';

const ROOT = join(__dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'model-spec.schema.json'), 'utf8'));
const PAGES = [...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f)), 'README.md'];

let dir: string;
beforeAll(() => {
  // The spec's folder holds the Dockerfiles the image examples point at ('.' and './container').
  dir = mkdtempSync(join(tmpdir(), 'mlops-examples-'));
  mkdirSync(join(dir, 'container'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12-slim\n');
  writeFileSync(join(dir, 'container', 'Dockerfile'), 'FROM python:3.12-slim\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const minimal = (): Record<string, any> => ({
  description: 'Daily unit demand per store', owner: 'ds-team@example.com',
  evaluation: { metric: 'rmse' },
  inference: { rules: { fallback: [{ name: 'typical', prediction: 50 }] } },
});
/** The other required fields of an array item whose field carries the example. */
const ITEM: Record<string, Record<string, unknown>> = {
  'inference.peakWindows': { duration: '2h', tps: 500 },
  'acknowledge': { reason: 'accepted for this model after review' },
};

interface Example { path: string[]; value: unknown }
function examples(node: any, path: string[] = []): Example[] {
  const own: Example[] = (node.examples ?? []).map((value: unknown) => ({ path, value }));
  const props = Object.entries(node.properties ?? {}).flatMap(([k, v]) => examples(v, [...path, k]));
  const items = node.items ? examples(node.items, [...path, '[]']) : [];
  return [...own, ...props, ...items];
}

/** A minimal spec with `value` written at `path` (`[]` makes a one-item list from ITEM). */
/** Settings a block only applies under (its examples are loaded with them). */
const CONTEXT: Record<string, Record<string, unknown>> = {
  fargate: { hosting: 'fargate', mode: 'online' },
};

function withExample({ path, value }: Example): { raw: Record<string, any>; at: string } {
  const raw = minimal();
  if (path[0] === 'inference' && CONTEXT[path[1]]) Object.assign(raw.inference, CONTEXT[path[1]]);
  let node: any = raw;
  const at: string[] = [];
  path.forEach((key, i) => {
    const last = i === path.length - 1;
    if (key === '[]') {
      const listKey = at.join('.');
      node[path[i - 1]] = [last ? value : { ...ITEM[listKey] }];
      node = node[path[i - 1]][0];
      at[at.length - 1] += '[0]';
      return;
    }
    at.push(key);
    if (last) node[key] = value;
    else if (path[i + 1] !== '[]') node = node[key] = { ...(node[key] ?? {}) };
  });
  return { raw, at: at.join('.') };
}

describe('the JSON Schema\'s examples', () => {
  const all = examples(schema);

  test.each(all.map((e) => [`${e.path.join('.')} = ${JSON.stringify(e.value)}`, e]))('%s loads with the real loader', (_name, e) => {
    const { raw, at } = withExample(e as Example);
    const { problems } = inspectModelSpecObject(raw, { dir, defaultName: 'demand-forecast', file: 'model.yaml' });
    expect(problems.filter((p) => p.path === at || p.path.startsWith(`${at}.`) || at.startsWith(`${p.path}.`) || at.startsWith(`${p.path}[`) || p.path === '')).toEqual([]);
  });

  test('an acknowledgement\'s example id is a real pattern check', () => {
    const ids = PATTERN_CHECKS.map((c) => c.id);
    const id = schema.properties.acknowledge.items.properties.id;
    for (const text of [...id.examples, ...(id.description.match(/MLOPS-[A-Za-z]+/g) ?? [])]) expect(ids).toContain(text);
  });

  test('an acknowledgement reason is accepted by the loader exactly when the schema accepts its length', () => {
    const min = schema.properties.acknowledge.items.properties.reason.minLength;
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), (n) => {
      const raw = { ...minimal(), acknowledge: [{ id: 'MLOPS-ServingHasFallback', reason: 'r'.repeat(n) }] };
      const { problems } = inspectModelSpecObject(raw, { dir, defaultName: 'demand-forecast' });
      expect(problems.some((p) => p.path === 'acknowledge[0].reason')).toBe(n < min);
    }));
  });
});

/** Shell command lines starting with `mlops` in fenced blocks and inline code, without trailing comments. */
function mlopsLines(page: string): string[] {
  const text = readFileSync(join(ROOT, page), 'utf8');
  const fenced = [...text.matchAll(/^```(?:sh|bash|shell|console)?\n([\s\S]*?)^```$/gm)].flatMap((m) => m[1].split('\n'));
  const inline = [...text.matchAll(/`(mlops [^`]+)`/g)].map((m) => m[1]);
  return [...fenced, ...inline].map((l) => l.replace(/^\$ /, '').trim()).filter((l) => /^(npx )?mlops /.test(l)).map(stripComment);
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) { if (c === quote) quote = undefined; } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && /\s/.test(line[i - 1] ?? ' ')) return line.slice(0, i).trim();
  }
  return line;
}

describe('the command lines of the docs', () => {
  const lines = PAGES.flatMap((page) => mlopsLines(page).map((line) => [page, line]));
  test('there are some', () => expect(lines.length).toBeGreaterThan(30));
  test.each(lines)('%s: %s parses with the CLI parser', (_page, line) => {
    expect(() => parseCommandLine(splitCommandLine(line).slice(line.startsWith('npx ') ? 2 : 1))).not.toThrow();
  });
});

describe('the --help texts', () => {
  const commands = Object.values(COMMAND_TABLE) as CommandSpec[];
  test.each(commands.map((c) => [c.name, c]))('mlops %s --help names only flags the command takes', (_name, c) => {
    const spec = c as CommandSpec;
    for (const [, flag] of spec.usage.matchAll(/--([a-z-]+)/g)) expect([...Object.keys(spec.flags), ...Object.keys(GLOBAL_FLAGS)]).toContain(flag);
    for (const [name, f] of Object.entries(spec.flags)) if (f.required) expect(spec.usage).toMatch(new RegExp(`(^| )--${name}( |$)`));
  });

  test('promote and compare refuse a model of several categories without --category, and their help says so', async () => {
    const { tableName } = await seededRegistry();
    for (const argv of [['promote', 'demand', '2', '--reason', 'better rmse on holdout'], ['compare', 'demand', '1', '2']]) {
      const res = await run(argv, { env: { MLOPS_REGISTRY_TABLE: tableName, MLOPS_ENDPOINT_DYNAMODB: process.env.MLOPS_TEST_DYNAMODB_ENDPOINT } });
      expect(res).toMatchObject({ code: 1, err: expect.stringContaining('say which one') });
      const help = await run([argv[0], '--help'], {});
      expect(help.out).not.toMatch(/--category[^\n]*default: every category/);
      expect(help.out).toMatch(/--category <category>: [^\n]*several categories/);
    }
  });
});

describe('the guide\'s complete spec', () => {
  test('loads next to its Dockerfile, as the guide says', () => {
    const guide = readFileSync(join(ROOT, 'docs', 'data-scientist.md'), 'utf8');
    const block = /^```yaml\n([\s\S]*?)^```$\n\nThat is a complete spec/m.exec(guide);
    expect(block).not.toBeNull();
    const { problems } = parseModelSpecText(block![1], { dir, defaultName: 'demand-forecast', file: 'model.yaml' });
    expect(problems).toEqual([]);
    expect(guide).toMatch(/That is a complete spec[^.]*Dockerfile/);
  });
});

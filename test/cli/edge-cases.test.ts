// Issue 19, items 8-12: the CLI under edge cases (pages, time zones, impossible dates, the
// argument parser, exit codes and JSON shapes). In-process against DynamoDB Local.
import fc from 'fast-check';
import { parseArgs } from '../../cli/args';
import { EXIT } from '../../cli/errors';
import { parseDay, parseSince } from '../../cli/time';
import { ModelRegistryClient } from '../../lambda/shared/registry';
import { run, seededRegistry } from './support';

let registry: ModelRegistryClient;
const now = () => new Date('2026-11-20T12:00:00Z');
const cli = (...argv: string[]) => run(argv, { registry, now, cwd: '/nonexistent' });

beforeAll(async () => {
  ({ registry } = await seededRegistry());
});

describe('versions --limit follows the pages (item 8)', () => {
  test('returns N versions when DynamoDB answers in short pages', async () => {
    // DynamoDB ends a page at 1 MB whatever the Limit: a registry whose pages hold 2 items at most.
    const shortPages = Object.create(registry) as ModelRegistryClient;
    shortPages.listVersions = (model, category, opts = {}) => registry.listVersions(model, category, { ...opts, limit: Math.min(opts.limit ?? 2, 2) });
    const r = await run(['versions', 'demand', '--category', 'books', '--limit', '3', '--json'], { registry: shortPages, now });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const two = await run(['versions', 'demand', '--category', 'books', '--limit', '2', '--json'], { registry: shortPages, now });
    expect(JSON.parse(two.out).map((v: { version: number }) => v.version)).toEqual([3, 2]);
  });
});

describe('time parsing (item 9)', () => {
  const NOW = new Date('2026-11-20T12:00:00Z');
  const zone = process.env.TZ;
  afterEach(() => { process.env.TZ = zone; });

  test('a date-time without a zone is UTC, also as the tables print it, whatever the local zone', () => {
    process.env.TZ = 'America/New_York';
    expect(parseSince('2026-11-19T02:00', NOW)).toBe('2026-11-19T02:00:00.000Z');
    expect(parseSince('2026-11-19 02:00', NOW)).toBe('2026-11-19T02:00:00.000Z');
    expect(parseSince('2026-11-19T02:00:30.5', NOW)).toBe('2026-11-19T02:00:30.500Z');
    expect(parseSince('2026-11-19', NOW)).toBe('2026-11-19T00:00:00.000Z');
    expect(parseSince('2026-11-19T02:00+01:00', NOW)).toBe('2026-11-19T01:00:00.000Z');
    expect(parseSince('3d', NOW)).toBe('2026-11-17T12:00:00.000Z');
  });

  test('a run copied from the table is included by --since', async () => {
    process.env.TZ = 'Asia/Tokyo';
    const table = await cli('runs', 'demand', '--status', 'SUCCEEDED');
    const started = /run-books-3\s+books\s+SUCCEEDED\s+(\d{4}-\d\d-\d\d \d\d:\d\d)/.exec(table.out)![1];
    const r = await cli('runs', 'demand', '--since', started, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).map((x: { runId: string }) => x.runId)).toContain('run-books-3');
  });

  test('impossible dates are rejected, every real one round-trips', () => {
    expect(() => parseSince('2026-02-30', NOW)).toThrow(/--since "2026-02-30" is not a real date/);
    expect(() => parseDay('2026-04-31', '--date')).toThrow(/--date "2026-04-31" is not a real date/);
    expect(() => parseSince('2026-11-19T24:30', NOW)).toThrow(/not a real date/);
    fc.assert(fc.property(fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
      const iso = d.toISOString();
      expect(parseSince(iso.slice(0, 19), NOW)).toBe(`${iso.slice(0, 19)}.000Z`);
      expect(parseDay(iso.slice(0, 10), '--date')).toBe(iso.slice(0, 10));
    }));
    fc.assert(fc.property(fc.integer({ min: 1971, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 29, max: 31 }), (y, m, day) => {
      const real = new Date(Date.UTC(y, m, 0)).getUTCDate() >= day;
      const text = `${y}-${String(m).padStart(2, '0')}-${day}`;
      if (real) expect(parseDay(text, '--date')).toBe(text);
      else expect(() => parseDay(text, '--date')).toThrow(/not a real date/);
    }));
  });

  test('train --date refuses an impossible date', async () => {
    const r = await run(['train', 'demand', '--date', '2026-02-30'], { env: { MLOPS_TRAINING_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x' }, now });
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/--date "2026-02-30" is not a real date/);
  });
});

describe('argument parser (item 11)', () => {
  const spec = { reason: { type: 'string' as const, description: 'why' }, category: { type: 'list' as const, description: 'c' }, json: { type: 'boolean' as const, description: 'j' } };

  test('names of Object.prototype are unknown options, not flags', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(() => parseArgs([`--${name}`, 'x'], spec, 'promote')).toThrow(new RegExp(`unknown option --${name}`));
    }
  });

  test('a single-value flag given twice is refused; a list flag repeats', () => {
    expect(() => parseArgs(['--reason', 'a', '--reason=b'], spec, 'promote')).toThrow(/--reason is given twice \("a", "b"\)/);
    expect(parseArgs(['--category', 'a', '--category', 'b'], spec, 'train').flags.category).toEqual(['a', 'b']);
  });

  test('a value may start with "--" unless it is one of the command\'s options', () => {
    expect(parseArgs(['--reason', '--force was wrong'], spec, 'promote').flags.reason).toBe('--force was wrong');
    expect(parseArgs(['--reason', '--', 'x'], spec, 'promote').flags.reason).toBe('--');
    expect(parseArgs(['--reason=--json'], spec, 'promote').flags.reason).toBe('--json');
    expect(() => parseArgs(['--reason', '--json'], spec, 'promote')).toThrow(/--reason needs a value/);
    expect(() => parseArgs(['--reason'], spec, 'promote')).toThrow(/--reason needs a value/);
  });

  test('any option name outside the table is refused, with the known ones listed', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !Object.hasOwn(spec, s) && !s.includes('=')), (name) => {
      expect(() => parseArgs([`--${name}`, 'x'], spec, 'promote')).toThrow(/unknown option/);
    }));
  });

  test('end to end: a repeated --category on promote is a usage error', async () => {
    const r = await cli('promote', 'demand', '2', '--category', 'books', '--category', 'garden', '--reason', 'x');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/--category is given twice/);
  });
});

describe('exit codes and JSON shapes (item 12)', () => {
  test('rollback with nothing to roll back to is a conflict (3), as the error table says', async () => {
    const r = await cli('rollback', 'demand', '--category', 'garden');
    expect(r.err).toMatch(/a previous production version of demand\/garden/);
    expect(r.code).toBe(EXIT.conflict);
  });

  test('compare --json writes null for a metric one version lacks', async () => {
    await registry.registerVersion({ model: 'demand', category: 'books', artifactUri: 's3://artifacts/runs/demand/run-x/model.tar.gz', metrics: { rmse: 0.3 }, actor: 'pipeline' });
    const versions = await registry.listVersions('demand', 'books', { limit: 1 });
    const newest = versions.items[0].version;
    const r = await cli('compare', 'demand', '1', String(newest), '--category', 'books', '--json');
    expect(r.code).toBe(0);
    const mae = JSON.parse(r.out).metrics.find((m: { name: string }) => m.name === 'mae');
    expect(mae).toEqual({ name: 'mae', v1: 0.25, v2: null, diff: null });
  });
});

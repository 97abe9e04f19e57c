import * as fc from 'fast-check';
import { AsOfQuery, asOfJoinSql, sqlIdentifier, sqlLiteral, statesFormatTemplate, unloadSql } from '../../lib/feature-store/as-of-query';

// Athena cannot run here. The property checks the generated SQL's join semantics against a naive
// reference: an evaluator executes the query shape, reading every clause that decides the answer
// (comparators, sort directions, rank and deletion filters) from the SQL text itself, so a change
// to one of them in the generator changes what the evaluator computes.

type Rec = Record<string, string | number | boolean | null>;
const BASE = Date.UTC(2026, 0, 1);
const iso = (minute: number) => new Date(BASE + minute * 60_000).toISOString();

const query: AsOfQuery = {
  labels: { database: 'sagemaker_featurestore', table: 'churn_labels', recordIdentifier: 'customer_id', eventTime: 'event_time', columns: ['label'], categoryColumn: 'segment' },
  joins: [
    { database: 'sagemaker_featurestore', table: 'profile', key: 'customer_id', recordIdentifier: 'customer_id', eventTime: 'event_time', features: ['spend'] },
    { database: 'sagemaker_featurestore', table: 'store_stats', key: 'store_id', recordIdentifier: 'store', eventTime: 'ts', features: ['visits', 'rating'] },
  ],
};
// store_id is a labels column used as a key only (not a training column): the labels table has it.
const labelsQuery: AsOfQuery = { ...query, labels: { ...query.labels, columns: ['label', 'store_id'] } };

/** The answer by definition: latest version per row; per join, the latest record at or before the row. */
function reference(q: AsOfQuery, tables: Record<string, Rec[]>, cutoff: number, category: string): Rec[] {
  const l = q.labels;
  const latest = new Map<string, Rec>();
  for (const r of tables[l.table]) {
    const k = `${r[l.recordIdentifier]}|${r[l.eventTime]}`;
    const cur = latest.get(k);
    if (!cur || (r.write_time as number) > (cur.write_time as number)) latest.set(k, r);
  }
  const rows = [...latest.values()].filter((r) => !r.is_deleted && Date.parse(r[l.eventTime] as string) <= cutoff && r[l.categoryColumn!] === category);
  return rows.map((r) => {
    const out: Rec = Object.fromEntries([l.recordIdentifier, l.eventTime, ...l.columns].map((c) => [c, r[c]]));
    for (const j of q.joins) {
      let best: Rec | undefined;
      for (const f of tables[j.table]) {
        if (f[j.recordIdentifier] !== r[j.key] || Date.parse(f[j.eventTime] as string) > Date.parse(r[l.eventTime] as string)) continue;
        const t = Date.parse(f[j.eventTime] as string), bt = best ? Date.parse(best[j.eventTime] as string) : -Infinity;
        if (!best || t > bt || (t === bt && (f.write_time as number) > (best.write_time as number))) best = f;
      }
      for (const name of j.features) out[name] = best && !best.is_deleted ? best[name] : null;
    }
    return out;
  });
}

/** Executes the generated SQL's shape, with its deciding clauses parsed from the text. */
function evaluate(sql: string, q: AsOfQuery, tables: Record<string, Rec[]>): Rec[] {
  const grab = (re: RegExp) => { const m = re.exec(sql); if (!m) throw new Error(`the SQL lost ${re}`); return m; };
  const cmp = (op: string, a: number, b: number) => ({ '<=': a <= b, '<': a < b, '>=': a >= b, '>': a > b, '=': a === b } as Record<string, boolean>)[op];
  const desc = (d: string) => (d === 'DESC' ? -1 : 1);
  const l = q.labels;
  const [, cutOp, cutoffIso] = grab(/WHERE from_iso8601_timestamp\("[^"]+"\) (<=|<|>=|>) from_iso8601_timestamp\('([^']*)'\)/);
  const [, vWriteDir] = grab(/"labels_versions"[\s\S]*?ORDER BY "write_time" (DESC|ASC)/);
  const [, keptClause] = grab(/FROM "labels_versions"\n {2}WHERE ([^\n]*)/);
  const cat = /"([^"]+)" = '((?:[^']|'')*)'/.exec(keptClause);
  const versions = new Map<string, Rec>();
  for (const r of tables[l.table].filter((r) => cmp(cutOp, Date.parse(r[l.eventTime] as string), Date.parse(cutoffIso)))) {
    const k = `${r[l.recordIdentifier]}|${r[l.eventTime]}`;
    const cur = versions.get(k);
    if (!cur || desc(vWriteDir) * ((r.write_time as number) - (cur.write_time as number)) < 0) versions.set(k, r);
  }
  let rows = [...versions.values()];
  if (keptClause.includes('NOT "__deleted"')) rows = rows.filter((r) => !r.is_deleted);
  if (cat) rows = rows.filter((r) => r[cat[1]] === cat[2].replace(/''/g, "'"));
  return rows.map((r) => {
    const out: Rec = Object.fromEntries([l.recordIdentifier, l.eventTime, ...l.columns].map((c) => [c, r[c]]));
    q.joins.forEach((j, i) => {
      const [, rid, key, op] = grab(new RegExp(`"j${i}" AS[\\s\\S]*?ON f\\."([^"]+)" = l\\."([^"]+)" AND f\\."__t" (<=|<|>=|>) l\\."__t"`));
      const [, tDir, wDir] = grab(new RegExp(`"j${i}" AS[\\s\\S]*?ORDER BY f\\."__t" (DESC|ASC), f\\."write_time" (DESC|ASC)`));
      const [, cond] = grab(new RegExp(`LEFT JOIN "j${i}" ON ([^\\n]*)`));
      const matches = tables[j.table]
        .filter((f) => f[rid] === r[key] && cmp(op, Date.parse(f[j.eventTime] as string), Date.parse(r[l.eventTime] as string)))
        .sort((a, b) => desc(tDir) * (Date.parse(a[j.eventTime] as string) - Date.parse(b[j.eventTime] as string)) || desc(wDir) * ((a.write_time as number) - (b.write_time as number)));
      const pick = cond.includes(`"__rank" = 1`) ? matches.slice(0, 1) : matches;
      const hit = pick.find((f) => !cond.includes(`NOT "j${i}"."__deleted"`) || !f.is_deleted);
      for (const name of j.features) out[name] = hit ? hit[name] : null;
    });
    return out;
  });
}

const sorted = (rows: Rec[]) => rows.map((r) => JSON.stringify(r)).sort();
let writes = 0;
const minute = fc.integer({ min: 0, max: 30 });
const rec = (fields: Record<string, fc.Arbitrary<string | number | boolean>>) => fc.record({ ...fields, is_deleted: fc.boolean() }).map((r) => ({ ...r, write_time: ++writes, api_invocation_time: writes }));
const labelsArb = fc.array(rec({ customer_id: fc.constantFrom('c1', 'c2', 'c3'), event_time: minute.map(iso), label: fc.integer({ min: 0, max: 1 }), store_id: fc.constantFrom('s1', 's2'), segment: fc.constantFrom('retail', "o'brien") }), { maxLength: 25 });
const profileArb = fc.array(rec({ customer_id: fc.constantFrom('c1', 'c2', 'c3', 'c4'), event_time: minute.map(iso), spend: fc.double({ min: 0, max: 100, noNaN: true }) }), { maxLength: 25 });
const storeArb = fc.array(rec({ store: fc.constantFrom('s1', 's2', 's3'), ts: minute.map(iso), visits: fc.nat(50), rating: fc.constantFrom('a', 'b') }), { maxLength: 25 });

describe('asOfJoinSql', () => {
  test('each training row gets, per group, the latest feature record at or before its event time (deletions and rewrites included)', () => {
    fc.assert(fc.property(labelsArb, profileArb, storeArb, minute, fc.constantFrom('retail', "o'brien"), (labels, profile, stores, cut, category) => {
      const tables = { churn_labels: labels, profile, store_stats: stores };
      const sql = asOfJoinSql(labelsQuery, { cutoff: iso(cut), category });
      expect(sorted(evaluate(sql, labelsQuery, tables))).toEqual(sorted(reference(labelsQuery, tables, Date.parse(iso(cut)), category)));
    }), { numRuns: 300 });
  });

  test('a record after the row is never used, even when it is the only one (no leakage from the future)', () => {
    const tables = {
      churn_labels: [{ customer_id: 'c1', event_time: iso(10), label: 1, store_id: 's1', segment: 'retail', is_deleted: false, write_time: 1, api_invocation_time: 1 }],
      profile: [{ customer_id: 'c1', event_time: iso(11), spend: 5, is_deleted: false, write_time: 2, api_invocation_time: 2 }],
      store_stats: [{ store: 's1', ts: iso(10), visits: 3, rating: 'a', is_deleted: false, write_time: 3, api_invocation_time: 3 }],
    };
    const sql = asOfJoinSql(labelsQuery, { cutoff: iso(30), category: 'retail' });
    expect(evaluate(sql, labelsQuery, tables)).toEqual([{ customer_id: 'c1', event_time: iso(10), label: 1, store_id: 's1', spend: null, visits: 3, rating: 'a' }]);
  });

  test('literals are escaped and identifiers quoted; a bad identifier fails at synth', () => {
    const sql = asOfJoinSql(query, { cutoff: iso(0), category: "o'brien" });
    expect(sql).toContain(`"segment" = 'o''brien'`);
    expect(sql).toContain('FROM "sagemaker_featurestore"."churn_labels"');
    expect(sql).not.toMatch(/[^'"]o'brien/);
    expect(sqlLiteral("a'b''c")).toBe("'a''b''''c'");
    expect(() => sqlIdentifier('x"; DROP TABLE y; --')).toThrow(/identifier "x\\"; DROP TABLE y; --" is invalid.*rename it/);
    expect(() => asOfJoinSql({ ...query, joins: [{ ...query.joins[0], features: ['label'] }] }, { cutoff: iso(0), category: 'a' })).toThrow(/column "label" appears twice/);
  });

  test('the UNLOAD wraps the query, and the States.Format template escapes its special characters', () => {
    const sql = unloadSql('SELECT 1', 's3://bucket/runs/m/r/input/training/');
    expect(sql).toBe("UNLOAD (\nSELECT 1\n) TO 's3://bucket/runs/m/r/input/training/' WITH (format = 'JSON')");
    expect(() => unloadSql('SELECT 1', "s3://b/x'/")).toThrow(/UNLOAD location/);
    expect(statesFormatTemplate("a = '@' AND b = '{x}\\'", '@')).toBe("a = \\'{}\\' AND b = \\'\\{x\\}\\\\\\'");
  });
});

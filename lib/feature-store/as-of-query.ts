// The point-in-time correct training set: for each training row (a record of the labels feature
// group), the latest record of each joined feature group whose event time is at or before the
// row's. Pure text generation, so a property test can check it against a reference join.
// Dialect: Athena engine v3 (Trino) over the feature groups' offline-store tables.

/** Columns every offline-store table has besides the declared features (SageMaker Feature Store). */
export const OFFLINE_STORE_COLUMNS = { writeTime: 'write_time', apiInvocationTime: 'api_invocation_time', deleted: 'is_deleted' } as const;

/** The training rows: one per (record identifier, event time) of the labels group, latest write. */
export interface AsOfLabels {
  readonly database: string;
  readonly table: string;
  readonly recordIdentifier: string;
  readonly eventTime: string;
  /** Columns of the labels group in the training set, after the identifier and the event time. */
  readonly columns: string[];
  /** A labels column holding the category; rows are kept for the run's category only. */
  readonly categoryColumn?: string;
}

/** A feature group joined as of each row's event time. */
export interface AsOfJoin {
  readonly database: string;
  readonly table: string;
  /** The labels column matched against this group's record identifier. */
  readonly key: string;
  readonly recordIdentifier: string;
  readonly eventTime: string;
  /** Features taken into the training set. */
  readonly features: string[];
}

export interface AsOfQuery {
  readonly labels: AsOfLabels;
  readonly joins: AsOfJoin[];
}

/** Values known only when the run starts (literals, escaped here). */
export interface AsOfRunValues {
  /** ISO-8601 timestamp: labels with a later event time are left out (the run's reference time). */
  readonly cutoff: string;
  /** The run's category (with `categoryColumn`). */
  readonly category?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

/** A quoted identifier; names are checked, not escaped, so a bad one fails at synth. */
export function sqlIdentifier(name: string): string {
  if (!NAME.test(name)) throw new Error(`feature store identifier ${JSON.stringify(name)} is invalid: expected letters, digits, "_" or "-" starting with a letter or "_"; rename it`);
  return `"${name}"`;
}

/** A string literal: single quotes doubled. */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const ts = (expr: string) => `from_iso8601_timestamp(${expr})`;

/** The SELECT of the training set (columns: identifier, event time, label columns, then each join's features). */
export function asOfJoinSql(q: AsOfQuery, run: AsOfRunValues): string {
  const l = q.labels;
  const id = sqlIdentifier;
  const { writeTime, apiInvocationTime, deleted } = OFFLINE_STORE_COLUMNS;
  const out = [l.recordIdentifier, l.eventTime, ...l.columns, ...q.joins.flatMap((j) => j.features)];
  const dup = out.find((c, i) => out.indexOf(c) !== i);
  if (dup !== undefined) throw new Error(`training set column ${JSON.stringify(dup)} appears twice: the labels columns and the joined features must have distinct names; leave one out of features.training`);
  const labelCols = [l.recordIdentifier, l.eventTime, ...l.columns].map(id);
  // The latest version of a row decides its category: filter after picking it.
  const kept = ['"__version" = 1', 'NOT "__deleted"'];
  const versionCols = [...labelCols];
  if (l.categoryColumn !== undefined) {
    if (run.category === undefined) throw new Error('asOfJoinSql: the labels have a categoryColumn, so the run values need a category');
    if (!versionCols.includes(id(l.categoryColumn))) versionCols.push(id(l.categoryColumn));
    kept.push(`${id(l.categoryColumn)} = ${sqlLiteral(run.category)}`);
  }
  const ctes = [
    `"labels_versions" AS (\n  SELECT ${versionCols.join(', ')}, ${id(deleted)} AS "__deleted", row_number() OVER (PARTITION BY ${id(l.recordIdentifier)}, ${id(l.eventTime)} ORDER BY ${id(writeTime)} DESC, ${id(apiInvocationTime)} DESC) AS "__version"\n`
      + `  FROM ${id(l.database)}.${id(l.table)}\n  WHERE ${ts(id(l.eventTime))} <= ${ts(sqlLiteral(run.cutoff))}\n)`,
    `"labels" AS (\n  SELECT ${labelCols.join(', ')}, ${ts(id(l.eventTime))} AS "__t", row_number() OVER () AS "__row"\n  FROM "labels_versions"\n  WHERE ${kept.join(' AND ')}\n)`,
    ...q.joins.map((j, i) => `"j${i}" AS (\n`
      + `  SELECT l."__row", ${j.features.map((f) => `f.${id(f)}`).join(', ')}, f.${id(deleted)} AS "__deleted", `
      + `row_number() OVER (PARTITION BY l."__row" ORDER BY f."__t" DESC, f.${id(writeTime)} DESC, f.${id(apiInvocationTime)} DESC) AS "__rank"\n`
      + `  FROM "labels" l\n  JOIN (SELECT *, ${ts(id(j.eventTime))} AS "__t" FROM ${id(j.database)}.${id(j.table)}) f\n`
      + `    ON f.${id(j.recordIdentifier)} = l.${id(j.key)} AND f."__t" <= l."__t"\n)`),
  ];
  const select = [...labelCols.map((c) => `l.${c}`), ...q.joins.flatMap((j, i) => j.features.map((f) => `"j${i}".${id(f)}`))];
  const joins = q.joins.map((_, i) => `LEFT JOIN "j${i}" ON "j${i}"."__row" = l."__row" AND "j${i}"."__rank" = 1 AND NOT "j${i}"."__deleted"`);
  return `WITH ${ctes.join(',\n')}\nSELECT ${select.join(', ')}\nFROM "labels" l${joins.map((j) => `\n${j}`).join('')}`;
}

/** The query as an UNLOAD to `location` (JSON lines, gzip: Athena's default for JSON), which must be empty. */
export function unloadSql(select: string, location: string): string {
  if (!/^s3:\/\/[^']+\/$/.test(location)) throw new Error(`UNLOAD location ${JSON.stringify(location)} is invalid: expected an s3:// URI ending in "/" without quotes`);
  return `UNLOAD (\n${select}\n) TO ${sqlLiteral(location)} WITH (format = 'JSON')`;
}

/**
 * `sql` as a Step Functions `States.Format` template: the intrinsic's special characters
 * (`'`, `{`, `}`, `\`) escaped, then each `marker` turned into a `{}` argument slot.
 */
export function statesFormatTemplate(sql: string, marker: string): string {
  return sql.replace(/[\\'{}]/g, (c) => `\\${c}`).split(marker).join('{}');
}

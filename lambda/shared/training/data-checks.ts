import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ColumnSpec, ColumnType, DataValidationConfig } from './types';

/** Result of reading one or more data files: rows counted, columns seen, problems found. */
export interface DataStats {
  rows: number;
  columns: string[] | undefined;
  problems: string[];
  /** Newest value (epoch ms) of `spec.eventTimeColumn` over every row, when it is set. */
  newestEventTime?: number;
}

const MAX_PROBLEMS = 10;

export function newStats(): DataStats {
  return { rows: 0, columns: undefined, problems: [] };
}

/**
 * Streams one file into the stats: counts every row and type-checks the first
 * `spec.sampleRows` rows (a full type check of a growing dataset would make validation cost
 * grow with it; the count is cheap). Gzip-compressed files (Athena UNLOAD's JSON output) are
 * read uncompressed, whatever their name.
 */
export async function checkFile(body: Readable, file: string, spec: DataValidationConfig, stats: DataStats): Promise<void> {
  const text = await uncompressed(body);
  if (spec.format === 'csv') await checkCsv(text, file, spec, stats);
  else await checkJsonl(text, file, spec, stats);
}

/** The stream itself, or its gunzipped content when it starts with the gzip magic bytes. */
async function uncompressed(body: Readable): Promise<Readable> {
  const chunks = body[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) return Readable.from([]);
  const head: Buffer = Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value as string);
  const whole = Readable.from((async function* () {
    yield head;
    for (let c = await chunks.next(); !c.done; c = await chunks.next()) yield c.value as Buffer;
  })());
  if (head[0] !== 0x1f || head[1] !== 0x8b) return whole;
  return pipeline(whole, createGunzip(), () => undefined);
}

/** Tracks the newest event time (any row, sampled or not); bad values are the type check's to report. */
function noteEventTime(value: unknown, stats: DataStats): void {
  const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isNaN(t) && (stats.newestEventTime === undefined || t > stats.newestEventTime)) stats.newestEventTime = t;
}

async function checkCsv(body: Readable, file: string, spec: DataValidationConfig, stats: DataStats): Promise<void> {
  let header: string[] | undefined;
  let line = 0;
  for await (const record of csvRecords(body)) {
    line++;
    if (header === undefined) {
      header = record.map((h) => h.trim());
      if (stats.columns === undefined) stats.columns = header;
      const missing = spec.columns.filter((c) => !header!.includes(c.name)).map((c) => c.name);
      if (missing.length > 0) problem(stats, `${file}: header lacks declared column(s) ${missing.join(', ')} (header: ${header.join(', ')})`);
      continue;
    }
    if (record.length === 1 && record[0] === '') continue; // blank line
    stats.rows++;
    if (spec.eventTimeColumn !== undefined) noteEventTime(record[header.indexOf(spec.eventTimeColumn)], stats);
    if (stats.rows > spec.sampleRows) continue;
    if (record.length !== header.length) {
      problem(stats, `${file} line ${line}: ${record.length} fields, but the header has ${header.length}`);
      continue;
    }
    for (const col of spec.columns) {
      const i = header.indexOf(col.name);
      if (i >= 0) checkValue(record[i], col, `${file} line ${line}`, stats);
    }
  }
  if (header === undefined) problem(stats, `${file}: empty file, expected a CSV header with ${spec.columns.map((c) => c.name).join(', ')}`);
}

async function checkJsonl(body: Readable, file: string, spec: DataValidationConfig, stats: DataStats): Promise<void> {
  let line = 0;
  for await (const text of lines(body)) {
    line++;
    if (text.trim() === '') continue;
    stats.rows++;
    const sampled = stats.rows <= spec.sampleRows;
    // Past the sample only the event time is read, which needs the parse.
    if (!sampled && spec.eventTimeColumn === undefined) continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      if (sampled) problem(stats, `${file} line ${line}: not valid JSON`);
      continue;
    }
    if (spec.eventTimeColumn !== undefined) noteEventTime((row as Record<string, unknown> | null)?.[spec.eventTimeColumn], stats);
    if (!sampled) continue;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      problem(stats, `${file} line ${line}: expected a JSON object per line`);
      continue;
    }
    const obj = row as Record<string, unknown>;
    if (stats.columns === undefined) stats.columns = Object.keys(obj);
    for (const col of spec.columns) {
      // An absent field reads as null: JSON writers may leave nulls out.
      if (!(col.name in obj)) {
        if (!col.nullable) problem(stats, `${file} line ${line}: missing declared field "${col.name}"`);
        continue;
      }
      const value = obj[col.name];
      checkValue(value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value), col, `${file} line ${line}`, stats, value);
    }
  }
}

function checkValue(text: string, col: ColumnSpec, where: string, stats: DataStats, raw?: unknown): void {
  if (text.trim() === '') {
    if (!col.nullable) problem(stats, `${where}: "${col.name}" is empty, but the column is not nullable`);
    return;
  }
  if (!matches(text.trim(), col.type, raw)) problem(stats, `${where}: "${col.name}" is ${JSON.stringify(text.slice(0, 40))}, not a ${col.type}`);
}

function matches(text: string, type: ColumnType, raw: unknown): boolean {
  switch (type) {
    case 'string': return raw === undefined || typeof raw === 'string';
    case 'number': return text !== '' && Number.isFinite(Number(text));
    case 'integer': return /^[-+]?\d+$/.test(text);
    case 'boolean': return /^(true|false)$/i.test(text);
    case 'date': return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
    case 'timestamp': return /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text));
  }
}

function problem(stats: DataStats, message: string): void {
  if (stats.problems.length < MAX_PROBLEMS) stats.problems.push(message);
  else if (stats.problems.length === MAX_PROBLEMS) stats.problems.push('... more problems not shown');
}

/** Lines of a stream (LF or CRLF), without buffering the whole file. */
async function* lines(body: Readable): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of body) {
    rest += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, nl).replace(/\r$/, '');
      rest = rest.slice(nl + 1);
    }
  }
  if (rest !== '') yield rest.replace(/\r$/, '');
}

/** RFC 4180 records of a stream: quoted fields may hold commas, quotes ("") and newlines. */
export async function* csvRecords(body: Readable): AsyncGenerator<string[]> {
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let afterQuote = false;
  let any = false;
  for await (const chunk of body) {
    const text = typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      any = true;
      if (quoted) {
        if (ch === '"') { quoted = false; afterQuote = true; } else field += ch;
        continue;
      }
      if (ch === '"') {
        if (afterQuote) { field += '"'; quoted = true; afterQuote = false; } else if (field === '') quoted = true; else field += ch;
        continue;
      }
      afterQuote = false;
      if (ch === ',') { record.push(field); field = ''; } else if (ch === '\n') {
        record.push(field.replace(/\r$/, ''));
        yield record;
        record = []; field = ''; any = false;
      } else field += ch;
    }
  }
  if (any || field !== '' || record.length > 0) {
    record.push(field.replace(/\r$/, ''));
    yield record;
  }
}

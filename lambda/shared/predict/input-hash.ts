// The identity of a real-time model input, for the answer cache: a hash of its canonical JSON
// (object keys sorted at every depth), so inputs that differ only in key order share an answer,
// and any other difference (a value, a type, an array's order) gives another key.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth; `undefined` members are left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const members = Object.keys(obj).sort().filter((k) => obj[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${members.join(',')}}`;
}

/** SHA-256 of the canonical JSON, base64url (43 characters). */
export function inputHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

/** The answer-cache key of one model input: the served version is part of it, so a promotion never serves the old model's answers. */
export function answerCacheKey(model: string, category: string, version: number, input: unknown): string {
  return `${model}#${category}#${version}#${inputHash(input)}`;
}

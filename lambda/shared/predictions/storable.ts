// What DynamoDB refuses to store, checked per prediction line before any write: one unstorable
// line must count as one failed line, not fail the BatchWriteItem call (and with it the part,
// the category and every re-run of the day). Limits verified against DynamoDB Local.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ValidationError } from '../registry/errors';

/** DynamoDB's item size limit. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** DynamoDB nests 32 levels, the item being the first: an attribute value may hold 31 levels of maps and lists. */
export const MAX_NESTED_LEVELS = 31;
/** Smallest non-zero magnitude of a DynamoDB number (the marshaller already refuses magnitudes beyond 2^53). */
const MIN_MAGNITUDE = 1e-130;

/**
 * Marshalls the item as the document client will, then checks DynamoDB's limits: numbers
 * within ±2^53 (precision) and not below 1E-130 in magnitude, no empty map keys, at most 31
 * nested levels, at most 400 KB. Throws a ValidationError naming the attribute path.
 */
export function assertStorable(item: Record<string, unknown>): Record<string, AttributeValue> {
  let marshalled: Record<string, AttributeValue>;
  try {
    marshalled = marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: false });
  } catch (e) {
    throw new ValidationError('prediction', item.prediction, `DynamoDB cannot store it (${(e as Error).message}); write numbers within ±2^53 as numbers, larger ones as strings`);
  }
  let bytes = 0;
  for (const [name, value] of Object.entries(marshalled)) bytes += utf8(name) + sizeOf(value, name, 0);
  if (bytes > MAX_ITEM_BYTES) {
    throw new ValidationError('prediction', `${bytes} bytes`, `an item may hold at most ${MAX_ITEM_BYTES} bytes (400 KB): store large outputs in S3 and predict a reference to them`);
  }
  return marshalled;
}

// Sizes per https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html,
// numbers rounded up (1 byte per 2 significant digits, plus 2).
function sizeOf(value: AttributeValue, path: string, level: number): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N, path);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) {
    nested(path, level + 1);
    return value.L.reduce((sum, v, i) => sum + 1 + sizeOf(v, `${path}[${i}]`, level + 1), 3);
  }
  if (value.M !== undefined) {
    nested(path, level + 1);
    let sum = 3;
    for (const [k, v] of Object.entries(value.M)) {
      if (k === '') throw new ValidationError(`${path} key`, k, 'map keys must be non-empty strings (DynamoDB refuses empty attribute names)');
      sum += 1 + utf8(k) + sizeOf(v, `${path}.${k}`, level + 1);
    }
    return sum;
  }
  // The marshaller emits no sets or binaries for JSON values.
  return 0;
}

function nested(path: string, level: number): void {
  if (level > MAX_NESTED_LEVELS) {
    throw new ValidationError(path, `${level} levels`, `DynamoDB stores at most ${MAX_NESTED_LEVELS} nested levels of maps and lists in an attribute: flatten the prediction`);
  }
}

function numberSize(text: string, path: string): number {
  const n = Number(text);
  if (n !== 0 && Math.abs(n) < MIN_MAGNITUDE) {
    throw new ValidationError(path, n, 'DynamoDB numbers must be 0 or at least 1E-130 in magnitude: round the value (or write it as a string)');
  }
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').length;
  return Math.ceil(digits / 2) + 2;
}

function utf8(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

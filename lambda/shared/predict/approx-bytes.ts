// A deliberately pessimistic estimate of the heap a JSON-like value keeps alive, so a cache
// capped by these bytes stays under its cap in the real heap (checked by
// test/serving/cache-memory.test.ts with a forced GC). Walking the value costs about what
// parsing it cost, and it runs once per store read, never per cache hit.

/** Header of any heap object plus a pointer to it, in bytes (64-bit V8, no pointer compression). */
const OBJECT = 32;
const POINTER = 8;
/** V8 heap numbers (non-integers and large integers) are boxed. */
const HEAP_NUMBER = 16;

/** Approximate heap bytes of a string: two bytes per code unit covers two-byte strings too. */
export function stringBytes(s: string): number {
  return OBJECT + 2 * s.length;
}

/** Approximate heap bytes a JSON-like value keeps alive (strings, numbers, arrays, plain objects). */
export function approxBytes(value: unknown): number {
  switch (typeof value) {
    case 'string': return stringBytes(value);
    case 'number': return HEAP_NUMBER;
    case 'object': {
      if (value === null) return 0;
      if (Array.isArray(value)) {
        let n = OBJECT + POINTER * value.length;
        for (const item of value) n += approxBytes(item);
        return n;
      }
      // Property names count too: a map keyed by ids holds as many distinct names as values.
      let n = OBJECT;
      const obj = value as Record<string, unknown>;
      for (const k in obj) n += 2 * POINTER + stringBytes(k) + approxBytes(obj[k]);
      return n;
    }
    default: return 0;
  }
}

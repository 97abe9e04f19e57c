// Heap measurement for memory-bound tests: V8's own GC exposed at run time, twice so weak
// references and finalizers settle, then the bytes still in use.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export const MiB = 1024 * 1024;

/** Heap bytes in use after a full garbage collection. */
export function heapUsedAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

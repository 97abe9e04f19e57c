import { approxBytes, stringBytes } from './approx-bytes';

/** Bytes of one entry beyond its key and value: the entry record, its Map slot and its queue slot. */
const ENTRY_OVERHEAD = 112;

export interface TtlCacheOptions<V> {
  /** Most bytes the entries may hold (keys, values and bookkeeping, estimated). */
  readonly maxBytes: number;
  /** Estimated heap bytes of a value. @default approxBytes */
  readonly sizeOf?: (value: V) => number;
  /** @default Date.now */
  readonly now?: () => number;
}

interface Entry<V> { readonly key: string; readonly value: V; readonly expiresAt: number; readonly bytes: number }

/**
 * An in-process cache capped by bytes whose entries expire after their own time-to-live.
 * Eviction is oldest-inserted first, which is enough for a cache whose entries all live
 * seconds. Every write first drops the expired entries at the old end, so an expired entry is
 * gone at the latest once every entry inserted before it has expired too (within the longest
 * TTL in use), even when nobody asks for it again.
 *
 * Insertion order is kept in a queue rather than read from the Map: V8 leaves deleted Map
 * entries in place until it rehashes, so finding the oldest entry by iterating a Map from the
 * start gets slower with every eviction (15 s for 200k evictions at 50k entries).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly sizeOf: (value: V) => number;
  private readonly now: () => number;
  /** Entries in insertion order; slots of deleted or replaced entries are skipped lazily. */
  private queue: Array<Entry<V> | undefined> = [];
  private head = 0;
  private usedBytes = 0;

  constructor(private readonly options: TtlCacheOptions<V>) {
    this.sizeOf = options.sizeOf ?? approxBytes;
    this.now = options.now ?? Date.now;
  }

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.delete(e);
      return undefined;
    }
    return e.value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V, ttlMs: number): void {
    const old = this.entries.get(key);
    if (old) this.delete(old);
    const now = this.now();
    for (let e = this.oldest(); e && e.expiresAt <= now; e = this.oldest()) this.delete(e);
    const bytes = ENTRY_OVERHEAD + stringBytes(key) + this.sizeOf(value);
    if (ttlMs <= 0 || bytes > this.options.maxBytes) return;
    for (let e = this.oldest(); e && this.usedBytes + bytes > this.options.maxBytes; e = this.oldest()) this.delete(e);
    const entry = { key, value, expiresAt: now + ttlMs, bytes };
    this.entries.set(key, entry);
    this.queue.push(entry);
    this.usedBytes += bytes;
    this.compact();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.usedBytes;
  }

  /** The oldest live entry; drops the queue slots of entries deleted or replaced since. */
  private oldest(): Entry<V> | undefined {
    while (this.head < this.queue.length) {
      const e = this.queue[this.head];
      if (e && this.entries.get(e.key) === e) return e;
      this.queue[this.head++] = undefined;
    }
    return undefined;
  }

  private delete(e: Entry<V>): void {
    this.entries.delete(e.key);
    this.usedBytes -= e.bytes;
  }

  /** Keeps the queue within twice the live entries (replaced hot keys leave dead slots behind). */
  private compact(): void {
    if (this.queue.length < 1024 || this.queue.length < 2 * this.entries.size) return;
    this.queue = this.queue.slice(this.head).filter((e) => e !== undefined && this.entries.get(e.key) === e);
    this.head = 0;
  }
}

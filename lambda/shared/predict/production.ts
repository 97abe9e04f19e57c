import { TtlCache } from './cache';

/**
 * Reads the version to answer with for (model, category): the registry's served version (see
 * registry/serving.ts); undefined when nothing is served yet.
 */
export type ProductionSource = (model: string, category: string) => Promise<number | undefined>;

export interface ResolvedProduction {
  /** The production version, undefined when none is promoted (or it could not be read). */
  readonly version?: number;
  /** Set when the version could not be read and no trusted earlier value is known. */
  readonly error?: unknown;
  /** With `error`: a version is known, but it is older than the maximum age and could not be refreshed. */
  readonly stale?: boolean;
}

export interface ProductionResolverOptions {
  readonly source: ProductionSource;
  /** How long a version is used before it is refreshed in the background. */
  readonly ttlMs: number;
  /** Age after which a version that could not be refreshed is no longer used. */
  readonly maxAgeMs: number;
  /** Most (model, category) versions remembered; the least recently refreshed are forgotten first. */
  readonly maxKnown: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Called on every failed registry read (metrics). */
  readonly onError?: (model: string, category: string, error: unknown) => void;
}

/** Failed keys remembered for a second, so a failing registry is not hammered: ~10k keys. */
const FAILED_KEYS_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Production versions resolved at run time from the registry, so promote and rollback take
 * effect within `ttlMs` with no redeploy. Stale-while-revalidate: while a value is younger than
 * `maxAgeMs`, callers never wait for the registry (a refresh runs in the background, and a
 * failed refresh keeps the last known value); an older value is refreshed before it is used, and
 * not used when that fails. Concurrent reads of one key share one request. At most `maxKnown`
 * keys are remembered, so open categories cannot grow the heap without bound.
 */
export class ProductionResolver {
  private readonly known = new Map<string, { version?: number; fetchedAt: number }>();
  private readonly inFlight = new Map<string, Promise<ResolvedProduction>>();
  private readonly failedAt: TtlCache<true>;
  private readonly now: () => number;

  constructor(private readonly options: ProductionResolverOptions) {
    if (options.maxAgeMs < options.ttlMs) {
      throw new Error(`productionMaxAgeMs must be at least productionTtlMs (${options.ttlMs}), but ${options.maxAgeMs} was provided: a version must be refreshable before it expires`);
    }
    this.now = options.now ?? Date.now;
    this.failedAt = new TtlCache<true>({ maxBytes: FAILED_KEYS_MAX_BYTES, sizeOf: () => 0, now: this.now });
  }

  async resolve(model: string, category: string): Promise<ResolvedProduction> {
    const key = `${model}#${category}`;
    const cached = this.known.get(key);
    const recentlyFailed = this.failedAt.has(key);
    if (cached) {
      const age = this.now() - cached.fetchedAt;
      if (age < this.options.maxAgeMs) {
        if (age >= this.options.ttlMs && !recentlyFailed) void this.fetch(key, model, category);
        return { version: cached.version };
      }
    }
    // Not known (or too old to trust) and the last try failed moments ago: do not hammer a failing registry.
    if (recentlyFailed) return { error: new Error(`production version of ${key} is unavailable`), stale: cached !== undefined };
    return this.fetch(key, model, category);
  }

  /** Number of (model, category) versions remembered. */
  get size(): number {
    return this.known.size;
  }

  private fetch(key: string, model: string, category: string): Promise<ResolvedProduction> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = this.options.source(model, category).then(
      (version) => {
        // Re-inserted at the young end, so the oldest-inserted key is the least recently refreshed.
        this.known.delete(key);
        this.known.set(key, { version, fetchedAt: this.now() });
        if (this.known.size > this.options.maxKnown) this.known.delete(this.known.keys().next().value as string);
        return { version };
      },
      (error: unknown) => {
        this.failedAt.set(key, true, Math.min(1_000, this.options.ttlMs));
        this.options.onError?.(model, category, error);
        const last = this.known.get(key);
        if (last && this.now() - last.fetchedAt < this.options.maxAgeMs) return { version: last.version };
        return { error, stale: last !== undefined };
      },
    ).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}

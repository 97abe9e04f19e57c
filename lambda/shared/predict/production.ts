import { TtlCache } from './cache';

/** Reads the production version of (model, category); undefined when nothing is promoted yet. */
export type ProductionSource = (model: string, category: string) => Promise<number | undefined>;

export interface ResolvedProduction {
  /** The production version, undefined when none is promoted (or it could not be read). */
  readonly version?: number;
  /** Set when the version could not be read and no earlier value is known. */
  readonly error?: unknown;
}

/**
 * Production versions resolved at run time from the registry, so promote and rollback take
 * effect within `ttlMs` with no redeploy. Stale-while-revalidate: once a value is known, callers
 * never wait for the registry again (a refresh runs in the background, and a failed refresh
 * keeps the last known value); concurrent first reads share one request.
 */
export class ProductionResolver {
  private readonly known = new Map<string, { version?: number; fetchedAt: number }>();
  private readonly inFlight = new Map<string, Promise<ResolvedProduction>>();
  private readonly failedAt: TtlCache<true>;

  constructor(
    private readonly source: ProductionSource,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.failedAt = new TtlCache<true>(10_000, now);
  }

  async resolve(model: string, category: string): Promise<ResolvedProduction> {
    const key = `${model}#${category}`;
    const cached = this.known.get(key);
    if (cached) {
      if (this.now() - cached.fetchedAt >= this.ttlMs && !this.failedAt.has(key)) void this.fetch(key, model, category);
      return { version: cached.version };
    }
    // Not known yet and the last try failed moments ago: do not hammer a failing registry.
    if (this.failedAt.has(key)) return { error: new Error(`production version of ${key} is unavailable`) };
    return this.fetch(key, model, category);
  }

  private fetch(key: string, model: string, category: string): Promise<ResolvedProduction> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = this.source(model, category).then(
      (version) => {
        this.known.set(key, { version, fetchedAt: this.now() });
        return { version };
      },
      (error: unknown) => {
        this.failedAt.set(key, true, Math.min(1_000, this.ttlMs));
        const last = this.known.get(key);
        return last ? { version: last.version } : { error };
      },
    ).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}

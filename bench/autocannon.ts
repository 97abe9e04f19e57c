// Drives a URL with autocannon at a fixed overall rate and collects every latency from the
// 'response' event (autocannon reports no p95, and its histogram applies coordinated-omission
// correction unless told not to).
import { EventEmitter } from 'node:events';

interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
  onResponse?: (status: number, body: string) => void;
}

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number; average: number };
  duration: number;
}

// autocannon ships no types; this is the part of its API the benchmark uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => EventEmitter & PromiseLike<AutocannonResult>;

export interface LoadOptions {
  readonly url: string;
  readonly rate: number;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly request: () => { path: string; method?: string; body?: string; headers?: Record<string, string> };
  /** Called with every response body (when given, autocannon keeps bodies). */
  readonly onBody?: (status: number, body: string) => void;
}

export interface LoadResult {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly requests: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: number;
  readonly non2xx: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export async function drive(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    overallRate: opts.rate,
    ignoreCoordinatedOmission: true,
    duration: opts.durationSeconds,
    timeout: 5,
    requests: [{
      setupRequest: (req: AutocannonRequest) => ({ ...req, ...opts.request() }),
      ...(opts.onBody ? { onResponse: opts.onBody } : {}),
    }],
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => { latencies.push(responseTime); });
  const res = await instance;
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    targetRate: opts.rate,
    achievedRate: round(latencies.length / res.duration),
    requests: latencies.length,
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies[latencies.length - 1] ?? NaN),
    errors: res.errors + res.timeouts,
    non2xx: res.non2xx,
  };
}

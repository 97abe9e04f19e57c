// What reaches a CloudWatch log stream, and what CloudWatch makes of it.
//
// `captureLogStream` runs code the way the Lambda Node.js runtime does under LogFormat: JSON
// (AWS_LAMBDA_LOG_FORMAT=JSON): every console call becomes one JSON line
// {timestamp, level, requestId, message} with the formatted text as `message`, and bytes written
// to process.stdout reach the stream unchanged. `emfMetrics` reads the stream the way CloudWatch
// does: only a line that is a JSON object with a top-level `_aws` block is Embedded Metric
// Format; each of its dimension sets publishes each declared metric once.
import { format } from 'node:util';

const CONSOLE_LEVELS = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' } as const;

type ConsoleMethod = keyof typeof CONSOLE_LEVELS;

/** Runs `fn` with the Lambda runtime's JSON log wrapping simulated; returns the log stream's lines. */
export async function captureLogStream(requestId: string, fn: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  let pending = '';
  const savedFormat = process.env.AWS_LAMBDA_LOG_FORMAT;
  const savedConsole = Object.fromEntries(Object.keys(CONSOLE_LEVELS).map((m) => [m, console[m as ConsoleMethod]]));
  const savedWrite = process.stdout.write;
  process.env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    console[method as ConsoleMethod] = (...args: unknown[]) => {
      lines.push(JSON.stringify({ timestamp: new Date().toISOString(), level, requestId, message: format(...args) }));
    };
  }
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = savedWrite;
    Object.assign(console, savedConsole);
    if (savedFormat === undefined) delete process.env.AWS_LAMBDA_LOG_FORMAT;
    else process.env.AWS_LAMBDA_LOG_FORMAT = savedFormat;
  }
  if (pending !== '') lines.push(pending);
  return lines;
}

/** One metric series as CloudWatch identifies it: namespace, name and the exact dimension set. */
export interface MetricSeries {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
}

/** A stable key of a series (dimensions sorted by name). */
export function seriesKey(s: MetricSeries): string {
  const dims = Object.keys(s.dimensions).sort().map((k) => `${k}=${s.dimensions[k]}`);
  return `${s.namespace} ${s.metricName} {${dims.join(', ')}}`;
}

/** The metric series CloudWatch creates from these log lines. */
export function emfMetrics(lines: readonly string[]): MetricSeries[] {
  const out: MetricSeries[] = [];
  for (const line of lines) {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) continue;
    const r = record as Record<string, unknown>;
    const aws = r._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
    if (!aws || typeof aws.Timestamp !== 'number' || !Array.isArray(aws.CloudWatchMetrics)) continue;
    for (const directive of aws.CloudWatchMetrics as Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>) {
      for (const set of directive.Dimensions) {
        if (!set.every((d) => typeof r[d] === 'string')) continue;
        for (const m of directive.Metrics) {
          if (typeof r[m.Name] !== 'number') continue;
          out.push({ namespace: directive.Namespace, metricName: m.Name, dimensions: Object.fromEntries(set.map((d) => [d, r[d] as string])) });
        }
      }
    }
  }
  return out;
}

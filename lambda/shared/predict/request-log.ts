// Structured request log lines of the prediction server and the Lambda API, in the shape the
// saved Logs Insights queries read (LOG_FIELDS: model, category, requestId, source, rule,
// latencyMs). Only what someone looks for is logged: slow requests, rejected requests and
// answers that did not come from the model. Lines are capped per second, so an outage
// (every answer a fallback) cannot turn into a log bill; the metrics keep the exact counts.

export interface RequestLogOptions {
  /** Service name on every line. */
  readonly service: string;
  /** Requests at least this slow are logged. @default 100 */
  readonly slowMs?: number;
  /** Lines written per second at most; the rest are counted and reported once. @default 50 */
  readonly maxLinesPerSecond?: number;
  /** @default process.stdout */
  readonly write?: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface RequestRecord {
  readonly requestId: string;
  readonly status: number;
  readonly latencyMs: number;
  /** The response body: one answer, `{ answers: [...] }`, or an error. */
  readonly body: unknown;
}

interface AnswerLike { model?: string; category?: string; source?: string; rule?: string; reason?: string; entityId?: string }

export class RequestLog {
  private readonly slowMs: number;
  private readonly cap: number;
  private readonly write: (line: string) => void;
  private readonly now: () => number;
  private second = 0;
  private written = 0;
  private suppressed = 0;

  constructor(private readonly options: RequestLogOptions) {
    this.slowMs = options.slowMs ?? 100;
    this.cap = options.maxLinesPerSecond ?? 50;
    this.write = options.write ?? ((line) => { process.stdout.write(`${line}\n`); });
    this.now = options.now ?? Date.now;
  }

  record(r: RequestRecord): void {
    const body = (r.body ?? {}) as AnswerLike & { answers?: AnswerLike[]; error?: string; message?: string; model?: string };
    const answers: AnswerLike[] = Array.isArray(body.answers) ? body.answers.map((a) => ({ model: body.model, category: (body as AnswerLike).category, ...a })) : body.source ? [body] : [];
    const notModel = answers.filter((a) => a.source !== 'model');
    const slow = r.latencyMs >= this.slowMs;
    const rejected = r.status >= 400;
    if (!slow && !rejected && notModel.length === 0) return;
    const latencyMs = Math.round(r.latencyMs * 100) / 100;
    const base = { service: this.options.service, requestId: r.requestId, status: r.status, latencyMs };
    if (notModel.length === 0) {
      const first = answers[0] ?? {};
      this.emit(rejected ? 'WARN' : 'INFO', rejected ? 'request rejected' : 'slow request', {
        ...base, model: first.model ?? body.model, category: first.category, source: first.source,
        ...(rejected ? { error: body.error, reason: body.message } : {}),
      });
      return;
    }
    // One line per non-model answer, so "fallback answers by rule" counts answers, not requests.
    for (const a of notModel) {
      this.emit('INFO', a.source === 'rule' ? 'rule answer' : 'fallback answer', {
        ...base, model: a.model, category: a.category, entityId: a.entityId, source: a.source, rule: a.rule, reason: a.reason, slow: slow || undefined,
      });
    }
  }

  private emit(level: string, message: string, fields: Record<string, unknown>): void {
    const t = this.now();
    const second = Math.floor(t / 1000);
    if (second !== this.second) {
      if (this.suppressed > 0) {
        this.write(JSON.stringify({ level: 'WARN', message: 'request log lines suppressed', service: this.options.service, suppressed: this.suppressed, maxLinesPerSecond: this.cap, timestamp: new Date(t).toISOString() }));
      }
      this.second = second;
      this.written = 0;
      this.suppressed = 0;
    }
    if (this.written >= this.cap) { this.suppressed++; return; }
    this.written++;
    const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    this.write(JSON.stringify({ level, message, timestamp: new Date(t).toISOString(), ...defined }));
  }
}

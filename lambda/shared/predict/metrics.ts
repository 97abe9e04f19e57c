// Answer counters aggregated in process and written as CloudWatch Embedded Metric Format lines,
// one per (model, category) and interval, instead of one log line per request.
import { METRICS } from '../contract';
import { Answer } from './core';

interface Counts { answers: number; fallback: number; rule: number; storeErrors: number }

export class AnswerMetrics {
  private counts = new Map<string, Counts>();

  constructor(private readonly now: () => number = Date.now) {}

  record(answer: Answer): void {
    const c = this.entry(answer.model, answer.category);
    c.answers++;
    if (answer.source === 'fallback') c.fallback++;
    else if (answer.source === 'rule') c.rule++;
  }

  storeError(model: string, category: string): void {
    this.entry(model, category).storeErrors++;
  }

  /** EMF lines for the counts since the last flush (empty when nothing happened), then resets. */
  flush(): string[] {
    const lines: string[] = [];
    const timestamp = this.now();
    for (const [key, c] of this.counts) {
      const [model, category] = key.split('\u0000');
      lines.push(JSON.stringify({
        _aws: {
          Timestamp: timestamp,
          CloudWatchMetrics: [{
            Namespace: METRICS.namespace,
            Dimensions: [[METRICS.dimensions.model, METRICS.dimensions.category]],
            Metrics: [METRICS.predictionAnswers, METRICS.fallbackAnswers, METRICS.ruleAnswers, METRICS.storeErrors].map((Name) => ({ Name, Unit: 'Count' })),
          }],
        },
        [METRICS.dimensions.model]: model,
        [METRICS.dimensions.category]: category,
        [METRICS.predictionAnswers]: c.answers,
        [METRICS.fallbackAnswers]: c.fallback,
        [METRICS.ruleAnswers]: c.rule,
        [METRICS.storeErrors]: c.storeErrors,
      }));
    }
    this.counts = new Map();
    return lines;
  }

  private entry(model: string, category: string): Counts {
    const key = `${model}\u0000${category}`;
    let c = this.counts.get(key);
    if (!c) { c = { answers: 0, fallback: 0, rule: 0, storeErrors: 0 }; this.counts.set(key, c); }
    return c;
  }
}

// Answer counters aggregated in process and written as CloudWatch Embedded Metric Format lines,
// one per (model, category) and interval, instead of one log line per request.
import { METRICS } from '../contract';
import { emfLine } from '../emf';
import { Answer } from './core';

interface Counts { answers: number; fallback: number; rule: number; storeErrors: number; productionErrors: number }

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

  productionError(model: string, category: string): void {
    this.entry(model, category).productionErrors++;
  }

  /** EMF lines for the counts since the last flush (empty when nothing happened), then resets. */
  flush(): string[] {
    const lines: string[] = [];
    const timestamp = this.now();
    for (const [key, c] of this.counts) {
      const [model, category] = key.split('\u0000');
      lines.push(emfLine({
        timestamp,
        dimensions: { [METRICS.dimensions.model]: model, [METRICS.dimensions.category]: category },
        // [Model] too, so a model's fallback-rate alarm needs no list of its categories.
        dimensionSets: [[METRICS.dimensions.model, METRICS.dimensions.category], [METRICS.dimensions.model]],
        metrics: [
          { name: METRICS.predictionAnswers, unit: 'Count', value: c.answers },
          { name: METRICS.fallbackAnswers, unit: 'Count', value: c.fallback },
          { name: METRICS.ruleAnswers, unit: 'Count', value: c.rule },
          { name: METRICS.storeErrors, unit: 'Count', value: c.storeErrors },
          { name: METRICS.productionReadFailures, unit: 'Count', value: c.productionErrors },
        ],
      }));
    }
    this.counts = new Map();
    return lines;
  }

  private entry(model: string, category: string): Counts {
    const key = `${model}\u0000${category}`;
    let c = this.counts.get(key);
    if (!c) { c = { answers: 0, fallback: 0, rule: 0, storeErrors: 0, productionErrors: 0 }; this.counts.set(key, c); }
    return c;
  }
}

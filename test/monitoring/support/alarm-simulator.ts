// A small CloudWatch alarm simulator over a synthesized template. Raw metric samples come from a
// `World` (what the platform publishes, minute by minute); each alarm turns them into datapoints
// with its statistic and period (metric math evaluated point by point, the way CloudWatch aligns
// series by timestamp: an operation on a missing point yields no point unless FILL supplies one),
// then applies evaluation periods, datapoints to alarm and the missing-data rule at every period
// boundary. Composite alarms follow their AlarmRule over the children's states.
//
// Deliberate simplifications: every alarm is evaluated exactly at its period boundaries, with no
// publishing delay; `ignore`/`missing` judge the datapoints present in the window.

/** A metric as the template names it; token dimension values are rendered as JSON. */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
}

/** Raw samples published during one minute (minutes count from an arbitrary 0; negative is history). */
export type World = (metric: MetricRef, minute: number) => number[];

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

interface CfnMetric { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: unknown }> }
interface CfnQuery { Id: string; Expression?: string; MetricStat?: { Metric: CfnMetric; Period: number; Stat: string }; ReturnData?: boolean }
type Props = Record<string, any>;

const ref = (m: CfnMetric): MetricRef => ({
  namespace: m.Namespace,
  metricName: m.MetricName,
  dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, typeof d.Value === 'string' ? d.Value : JSON.stringify(d.Value)])),
});

function statistic(stat: string, samples: number[]): number | undefined {
  if (samples.length === 0) return undefined;
  switch (stat) {
    case 'Sum': return samples.reduce((a, b) => a + b, 0);
    case 'SampleCount': return samples.length;
    case 'Average': return samples.reduce((a, b) => a + b, 0) / samples.length;
    case 'Maximum': return Math.max(...samples);
    case 'Minimum': return Math.min(...samples);
    default: {
      const m = /^p(\d+(?:\.\d+)?)$/.exec(stat);
      if (!m) throw new Error(`the simulator does not know the statistic ${stat}`);
      const sorted = [...samples].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.ceil((Number(m[1]) / 100) * sorted.length) - 1)];
    }
  }
}

/** One metric alarm of the template, evaluated over a world. */
export class SimulatedAlarm {
  readonly periodMinutes: number;
  private readonly queries = new Map<string, CfnQuery>();
  private readonly root: string;
  private readonly cache = new Map<number, number | undefined>();
  private readonly refs = new Map<string, MetricRef>();

  constructor(readonly logicalId: string, readonly props: Props, private readonly world: World) {
    if (props.Metrics) {
      for (const q of props.Metrics as CfnQuery[]) this.queries.set(q.Id, q);
      const roots = (props.Metrics as CfnQuery[]).filter((q) => q.ReturnData !== false);
      if (roots.length !== 1) throw new Error(`${logicalId}: expected one query returning data, found ${roots.length}`);
      this.root = roots[0].Id;
      const periods = new Set((props.Metrics as CfnQuery[]).filter((q) => q.MetricStat).map((q) => q.MetricStat!.Period));
      if (periods.size !== 1) throw new Error(`${logicalId}: the simulator needs one period per alarm, found ${[...periods].join(', ')}`);
      this.periodMinutes = [...periods][0] / 60;
    } else {
      this.root = 'm';
      this.queries.set('m', { Id: 'm', MetricStat: { Metric: props as CfnMetric, Period: props.Period, Stat: props.Statistic ?? props.ExtendedStatistic } });
      this.periodMinutes = props.Period / 60;
    }
  }

  get name(): string {
    return typeof this.props.AlarmName === 'string' ? this.props.AlarmName : this.logicalId;
  }

  /** The alarm's datapoint for the period starting at `start` (minutes), or undefined when missing. */
  datapoint(start: number): number | undefined {
    if (!this.cache.has(start)) this.cache.set(start, this.value(this.root, start));
    return this.cache.get(start);
  }

  /** The state after evaluating at the period boundary `at` (minutes), given the previous state. */
  evaluate(at: number, previous: AlarmState): AlarmState {
    const n = this.props.EvaluationPeriods as number;
    const m = (this.props.DatapointsToAlarm ?? n) as number;
    const missing = (this.props.TreatMissingData ?? 'missing') as string;
    const points = Array.from({ length: n }, (_, k) => this.datapoint(at - (k + 1) * this.periodMinutes));
    const breaches = (v: number) => compare(this.props.ComparisonOperator, v, this.props.Threshold);
    if (missing === 'breaching' || missing === 'notBreaching') {
      const breaching = points.filter((p) => (p === undefined ? missing === 'breaching' : breaches(p))).length;
      return breaching >= m ? 'ALARM' : 'OK';
    }
    const present = points.filter((p): p is number => p !== undefined);
    if (present.length === 0) return missing === 'ignore' ? previous : 'INSUFFICIENT_DATA';
    const breaching = present.filter(breaches).length;
    if (breaching >= m) return 'ALARM';
    return present.length - breaching > n - m ? 'OK' : previous;
  }

  private value(id: string, start: number): number | undefined {
    const q = this.queries.get(id);
    if (!q) throw new Error(`${this.logicalId}: unknown metric id ${id}`);
    if (q.MetricStat) {
      const samples: number[] = [];
      const metric = this.refs.get(id) ?? this.refs.set(id, ref(q.MetricStat.Metric)).get(id)!;
      for (let minute = start; minute < start + this.periodMinutes; minute++) samples.push(...this.world(metric, minute));
      return statistic(q.MetricStat.Stat, samples);
    }
    const result = compiledExpression(q.Expression!)((name) => this.value(name, start));
    if (Array.isArray(result)) throw new Error(`${this.logicalId}: ${q.Expression} is a list, not a series`);
    return result;
  }
}

function compare(op: string, v: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanThreshold': return v > threshold;
    case 'GreaterThanOrEqualToThreshold': return v >= threshold;
    case 'LessThanThreshold': return v < threshold;
    case 'LessThanOrEqualToThreshold': return v <= threshold;
    default: throw new Error(`the simulator does not know the comparison ${op}`);
  }
}

type Value = number | undefined | Array<number | undefined>;

const compiled = new Map<string, (lookup: (id: string) => number | undefined) => Value>();

/** Tokenizes once per expression; the simulator evaluates each expression at thousands of timestamps. */
function compiledExpression(expression: string): (lookup: (id: string) => number | undefined) => Value {
  let f = compiled.get(expression);
  if (!f) {
    const tokens = tokenize(expression);
    f = (lookup) => evalTokens(expression, tokens, lookup);
    compiled.set(expression, f);
  }
  return f;
}

function tokenize(expression: string): string[] {
  const tokens = expression.match(/\s*(>=|<=|==|!=|[-+*/(),<>[\]]|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*)/g)!.map((t) => t.trim());
  if (tokens.join('') !== expression.replace(/\s+/g, '')) throw new Error(`the simulator cannot read ${expression}`);
  return tokens;
}

/** Metric math at one timestamp: + - * /, comparisons, IF, FILL, SUM/MIN/MAX over [lists]. */
export function evalExpression(expression: string, lookup: (id: string) => number | undefined): Value {
  return compiledExpression(expression)(lookup);
}

function evalTokens(expression: string, tokens: string[], lookup: (id: string) => number | undefined): Value {
  let i = 0;
  const peek = () => tokens[i];
  const take = (t?: string) => {
    if (t !== undefined && tokens[i] !== t) throw new Error(`expected ${t} at ${i} in ${expression}`);
    return tokens[i++];
  };
  const num = (v: Value): number | undefined => {
    if (Array.isArray(v)) throw new Error(`a list is not a number in ${expression}`);
    return v;
  };
  const arith = (a: Value, b: Value, f: (x: number, y: number) => number) => {
    const x = num(a);
    const y = num(b);
    return x === undefined || y === undefined ? undefined : f(x, y);
  };
  const primary = (): Value => {
    const t = take();
    if (t === '(') { const v = expr(); take(')'); return v; }
    if (t === '[') {
      const items: Array<number | undefined> = [];
      while (peek() !== ']') { items.push(num(expr())); if (peek() === ',') take(','); }
      take(']');
      return items;
    }
    if (t === '-') return arith(0, primary(), (x, y) => x - y);
    if (/^\d/.test(t)) return Number(t);
    if (peek() === '(') {
      take('(');
      const args: Value[] = [];
      while (peek() !== ')') { args.push(expr()); if (peek() === ',') take(','); }
      take(')');
      return call(t, args);
    }
    return lookup(t);
  };
  const call = (fn: string, args: Value[]): Value => {
    const defined = (v: Value) => (Array.isArray(v) ? v : [v]).filter((x): x is number => x !== undefined);
    switch (fn) {
      case 'FILL': return num(args[0]) ?? num(args[1]);
      case 'IF': {
        const c = num(args[0]);
        return c === undefined ? undefined : num(c !== 0 ? args[1] : args[2]);
      }
      case 'SUM': { const d = defined(args[0]); return d.length ? d.reduce((a, b) => a + b, 0) : undefined; }
      case 'MIN': { const d = defined(args[0]); return d.length ? Math.min(...d) : undefined; }
      case 'MAX': { const d = defined(args[0]); return d.length ? Math.max(...d) : undefined; }
      default: throw new Error(`the simulator does not know the function ${fn}`);
    }
  };
  const term = (): Value => {
    let v = primary();
    while (peek() === '*' || peek() === '/') {
      const op = take();
      const r = primary();
      v = arith(v, r, (x, y) => (op === '*' ? x * y : x / y));
      if (typeof v === 'number' && !Number.isFinite(v)) v = undefined;
    }
    return v;
  };
  const additive = (): Value => {
    let v = term();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      const r = term();
      v = arith(v, r, (x, y) => (op === '+' ? x + y : x - y));
    }
    return v;
  };
  const expr = (): Value => {
    const v = additive();
    const op = peek();
    if (op && ['>=', '<=', '>', '<', '==', '!='].includes(op)) {
      take();
      const r = additive();
      return arith(v, r, (x, y) => Number(op === '>=' ? x >= y : op === '<=' ? x <= y : op === '>' ? x > y : op === '<' ? x < y : op === '==' ? x === y : x !== y));
    }
    return v;
  };
  const v = expr();
  if (i !== tokens.length) throw new Error(`unexpected ${tokens[i]} in ${expression}`);
  return v;
}

/** A composite alarm's rule over child states: ALARM(x), OK(x), INSUFFICIENT_DATA(x), AND, OR, NOT, TRUE, FALSE. */
export function evalAlarmRule(rule: string, stateOf: (logicalId: string) => AlarmState): boolean {
  return evalRuleTokens(rule, rule.match(/\(|\)|"[^"]*"|[A-Za-z_][A-Za-z0-9_-]*/g)!, stateOf);
}

function evalRuleTokens(rule: string, tokens: string[], stateOf: (logicalId: string) => AlarmState): boolean {
  let i = 0;
  const primary = (): boolean => {
    const t = tokens[i++];
    if (t === '(') { const v = or(); i++; return v; }
    if (t === 'NOT') return !primary();
    if (t === 'TRUE') return true;
    if (t === 'FALSE') return false;
    if (t === 'ALARM' || t === 'OK' || t === 'INSUFFICIENT_DATA') {
      i++; // (
      const id = tokens[i++].replace(/"/g, '');
      i++; // )
      return stateOf(id) === t;
    }
    throw new Error(`unexpected ${t} in ${rule}`);
  };
  const and = (): boolean => {
    let v = primary();
    while (tokens[i] === 'AND') { i++; const r = primary(); v = v && r; }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[i] === 'OR') { i++; const r = and(); v = v || r; }
    return v;
  };
  return or();
}

/** The AlarmRule text with every alarm ARN token replaced by the alarm's logical id. */
export function ruleText(rule: unknown): string {
  if (typeof rule === 'string') return rule;
  const join = (rule as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return join[1].map((part) => (typeof part === 'string' ? part : (part as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0])).join(join[0]);
}

/** One state change of a simulated alarm. */
export interface Transition {
  readonly minute: number;
  readonly state: AlarmState;
}

/** Every metric and composite alarm of a template, run together over a world. */
export class AlarmSimulation {
  readonly alarms: SimulatedAlarm[];
  readonly composites: Array<{ logicalId: string; name: string; rule: string; tokens: string[] }>;

  constructor(template: { Resources: Record<string, { Type: string; Properties: Props }> }, world: World) {
    const entries = Object.entries(template.Resources);
    this.alarms = entries.filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([id, r]) => new SimulatedAlarm(id, r.Properties, world));
    this.composites = entries.filter(([, r]) => r.Type === 'AWS::CloudWatch::CompositeAlarm')
      .map(([id, r]) => {
        const rule = ruleText(r.Properties.AlarmRule);
        return { logicalId: id, name: r.Properties.AlarmName, rule, tokens: rule.match(/\(|\)|"[^"]*"|[A-Za-z_][A-Za-z0-9_-]*/g)! };
      });
  }

  /**
   * Runs minute by minute over [from, to); returns each alarm's (and composite's) transitions by
   * name. Alarms start INSUFFICIENT_DATA, as newly created alarms do. With `only`, just the
   * metric alarms it accepts (and no composite).
   */
  run(from: number, to: number, only?: (alarmName: string) => boolean): Map<string, Transition[]> {
    const alarms = only ? this.alarms.filter((a) => only(a.name)) : this.alarms;
    const composites = only ? [] : this.composites;
    const state = new Map<string, AlarmState>();
    const transitions = new Map<string, Transition[]>();
    const set = (name: string, s: AlarmState, minute: number) => {
      if (state.get(name) === s) return;
      state.set(name, s);
      (transitions.get(name) ?? transitions.set(name, []).get(name)!).push({ minute, state: s });
    };
    const byId = new Map<string, string>();
    for (const a of alarms) { set(a.name, 'INSUFFICIENT_DATA', from); byId.set(a.logicalId, a.name); }
    for (const c of composites) { set(c.name, 'INSUFFICIENT_DATA', from); byId.set(c.logicalId, c.name); }
    for (let minute = from; minute < to; minute++) {
      for (const a of alarms) {
        if (minute % a.periodMinutes === 0) set(a.name, a.evaluate(minute, state.get(a.name)!), minute);
      }
      for (const c of composites) {
        set(c.name, evalRuleTokens(c.rule, c.tokens, (id) => state.get(byId.get(id)!)!) ? 'ALARM' : 'OK', minute);
      }
    }
    return transitions;
  }
}

/** The state an alarm is in at `minute`, from its transitions. */
export function stateAt(transitions: Transition[], minute: number): AlarmState {
  let s: AlarmState = 'INSUFFICIENT_DATA';
  for (const t of transitions) if (t.minute <= minute) s = t.state;
  return s;
}

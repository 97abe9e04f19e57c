// Bills as Markdown tables, for the docs, the README and `mlops cost`. The docs' cost tables are
// these functions' output, kept in step by test/docs/cost-figures.test.ts.
import { ModelSpec } from '../spec/model-spec';
import { sumUsd } from './cost-line';
import { apiLines, endpointsLine, serviceLines } from './front-end';
import { PlatformCost } from './platform-cost';
import { PRICE_SOURCES, pricesFor } from './prices';
import { requestsPerMonth, servingDemand } from './serving-demand';
import { HOURS_PER_MONTH, SERVICE_ENDPOINTS, USAGE } from './usage';

/** `1234.5` -> `1,234.50`. */
export function usd(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Every line of the bill, a subtotal per model and for the platform, and the total. */
export function billMarkdown(cost: PlatformCost): string {
  const out = [row(['scope', 'group', 'what', 'quantity', 'USD/month']), row(['---', '---', '---', '---', '---:'])];
  for (const scope of cost.scopes) {
    for (const l of cost.lines.filter((x) => x.scope === scope)) out.push(row([scope, l.group, l.item, l.quantity, usd(l.usd)]));
    out.push(row([`**${scope}**`, '', '', '', `**${usd(cost.scopeUsd(scope))}**`]));
  }
  out.push(row(['**total**', '', `${cost.region} list prices of ${cost.pricesAsOf}, month ${cost.monthOfOperation}`, '', `**${usd(cost.totalUsd)}**`]));
  return out.join('\n');
}

/** One row per model (with its front end) and the platform, by group, with the total. */
export function summaryMarkdown(cost: PlatformCost): string {
  const groups = [...new Set(cost.lines.map((l) => l.group))];
  const out = [row(['scope', 'front end', ...groups, 'USD/month']), row(['---', '---', ...groups.map(() => '---:'), '---:'])];
  const frontEnd = (scope: string) => cost.frontEnds.find((f) => f.model === scope)?.serving ?? '';
  const cell = (scope: string | undefined, g: string) => {
    const lines = cost.lines.filter((l) => (scope === undefined || l.scope === scope) && l.group === g);
    return lines.length ? usd(sumUsd(lines)) : '-';
  };
  for (const scope of cost.scopes) out.push(row([scope, frontEnd(scope), ...groups.map((g) => cell(scope, g)), usd(cost.scopeUsd(scope))]));
  out.push(row(['**total**', '', ...groups.map((g) => cell(undefined, g)), `**${usd(cost.totalUsd)}**`]));
  return out.join('\n');
}

/**
 * The front ends the architecture weighs, at one model's declared traffic: the two the platform
 * chooses between, plus REST API + Lambda and two GPU real-time endpoints for comparison.
 */
export function frontEndOptionsMarkdown(spec: ModelSpec, region: string): string {
  const prices = pricesFor(region);
  const d = servingDemand(spec);
  const reads = (requestsPerMonth(d) * USAGE.readUnitsPerAnswer / 1e6) * prices.dynamoPerMillionReadUnits;
  const gpu = 2 * HOURS_PER_MONTH * prices.instanceHour['ml.g5.xlarge'];
  const options: Array<[string, number, number]> = [
    ['ALB + Fargate arm64 + VPC endpoints (`serving: service`)', sumUsd(serviceLines(d, prices)) + endpointsLine(SERVICE_ENDPOINTS, prices).usd, reads],
    ['HTTP API + Lambda (`serving: api`)', sumUsd(apiLines(d, prices)), reads],
    ['REST API + Lambda', sumUsd(apiLines(d, prices, true)), reads],
    ['two GPU real-time endpoints (ml.g5.xlarge, all month)', gpu, 0],
  ];
  return [
    row(['front end', 'front end USD/month', 'DynamoDB reads', 'USD/month']),
    row(['---', '---:', '---:', '---:']),
    ...options.map(([name, fe, r]) => row([name, usd(fe), usd(r), `**${usd(fe + r)}**`])),
  ].join('\n');
}

/** The sources of the prices, one Markdown link each. */
export function priceSourcesMarkdown(): string {
  return Object.entries(PRICE_SOURCES).map(([k, url]) => `[${k}](${url})`).join(', ');
}

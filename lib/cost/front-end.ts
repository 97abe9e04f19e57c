// What each serving front end costs a month for a declared traffic, and the choice between them.
// DynamoDB reads are the same for every front end, so they are billed with the store, not here.
import { ServingFrontEnd } from '../spec/model-spec';
import { UnscopedLine, millions, qty, sumUsd } from './cost-line';
import { DEFAULT_PRICE_REGION, RegionPrices, pricesFor } from './prices';
import { ServingDemand, peakHoursPerMonth, requestsPerMonth, taskHoursPerMonth } from './serving-demand';
import { HOURS_PER_MONTH, SECONDS_PER_MONTH, SERVICE_ENDPOINTS, USAGE } from './usage';

const GB = 1e9;

/** Interface endpoints in every Availability Zone of the network, for a month. */
export function endpointsLine(names: readonly string[], prices: RegionPrices): UnscopedLine {
  const azHours = names.length * USAGE.availabilityZones * HOURS_PER_MONTH;
  return {
    group: 'network', item: `interface endpoints (${names.join(', ')}) in ${USAGE.availabilityZones} AZs; S3 and DynamoDB gateway endpoints are free`,
    quantity: qty(azHours, 'endpoint-AZ-h'), usd: azHours * prices.interfaceEndpointAzHour,
  };
}

/** ALB + arm64 Fargate tasks (the VPC endpoints are billed with the network). */
export function serviceLines(d: ServingDemand, prices: RegionPrices): UnscopedLine[] {
  const requests = requestsPerMonth(d);
  const t = taskHoursPerMonth(d);
  const taskHour = USAGE.taskVcpu * prices.fargateArmVcpuHour + USAGE.taskMemoryGb * prices.fargateArmGbHour;
  // One LCU carries 1 GB an hour to targets; with keep-alive clients processed bytes dominate.
  const lcuHours = (requests * USAGE.bytesPerExchange) / GB;
  const logGb = (requests * USAGE.loggedRequestShare * USAGE.logLineBytes) / GB;
  const accessLogGb = ((requests * USAGE.albAccessLogBytes) / GB) * USAGE.albAccessLogMonths;
  return [
    {
      group: 'serving', item: `Fargate tasks (${USAGE.taskVcpu} vCPU, ${USAGE.taskMemoryGb} GB, arm64): ${t.avgTasks} all month, ${t.peakTasks} in peak windows`,
      quantity: `${qty(t.hours, 'task-h')} (${qty(t.peakHours, 'peak h')})`, usd: t.hours * taskHour,
    },
    { group: 'serving', item: 'ALB hours', quantity: qty(HOURS_PER_MONTH, 'h'), usd: HOURS_PER_MONTH * prices.albHour },
    { group: 'serving', item: `ALB LCUs (${USAGE.bytesPerExchange} B a request, keep-alive clients)`, quantity: qty(lcuHours, 'LCU-h'), usd: lcuHours * prices.albLcuHour },
    { group: 'serving', item: 'Container Insights metrics', quantity: qty(USAGE.containerInsightsMetrics, 'metrics'), usd: USAGE.containerInsightsMetrics * prices.customMetricMonth },
    {
      group: 'serving', item: `request logs (${USAGE.loggedRequestShare * 100} % of requests), ALB access logs (${USAGE.albAccessLogMonths * 30} days in S3)`,
      quantity: `${qty(logGb, 'GB')} + ${qty(accessLogGb, 'GB stored')}`, usd: logGb * prices.logsIngestedGb + accessLogGb * prices.s3StandardGbMonth,
    },
  ];
}

/** API Gateway (HTTP API, or REST API for comparison) + the prediction Lambda function. */
export function apiLines(d: ServingDemand, prices: RegionPrices, rest = false): UnscopedLine[] {
  const requests = requestsPerMonth(d);
  const m = requests / 1e6;
  const [tier, first, after] = rest
    ? [333, prices.restApiPerMillionFirst333M, prices.restApiPerMillionAfter]
    : [300, prices.httpApiPerMillionFirst300M, prices.httpApiPerMillionAfter];
  const gbSeconds = requests * (USAGE.lambdaMsPerAnswer / 1000) * USAGE.lambdaMemoryGb;
  const logGb = (requests * USAGE.apiLogBytesPerRequest) / GB;
  const tracedPerSecond = Math.min(d.avgTps, USAGE.xrayReservoirPerSecond) + USAGE.xraySampledShare * Math.max(0, d.avgTps - USAGE.xrayReservoirPerSecond);
  const traces = tracedPerSecond * SECONDS_PER_MONTH;
  // Priced at the provisioned rate on top of on-demand duration (a small overestimate).
  const provisionedGbSeconds = d.provisionedConcurrency * USAGE.lambdaMemoryGb * peakHoursPerMonth(d.peakWindows) * 3600;
  return [
    { group: 'serving', item: `${rest ? 'REST' : 'HTTP'} API requests`, quantity: millions(requests, 'requests'), usd: Math.min(m, tier) * first + Math.max(0, m - tier) * after },
    {
      group: 'serving', item: `Lambda requests + duration (${USAGE.lambdaMsPerAnswer} ms, ${USAGE.lambdaMemoryGb * 1024} MB, arm64)`,
      quantity: qty(gbSeconds, 'GB-s'), usd: m * prices.lambdaPerMillionRequests + gbSeconds * prices.lambdaArmGbSecond,
    },
    ...(provisionedGbSeconds > 0 ? [{
      group: 'serving', item: `Lambda provisioned concurrency in the peak windows (${d.provisionedConcurrency})`,
      quantity: qty(provisionedGbSeconds, 'GB-s'), usd: provisionedGbSeconds * prices.lambdaArmProvisionedGbSecond,
    }] : []),
    { group: 'serving', item: 'API access logs + Lambda platform logs', quantity: qty(logGb, 'GB'), usd: logGb * prices.logsIngestedGb },
    { group: 'serving', item: 'X-Ray traces (default sampling)', quantity: millions(traces, 'traces'), usd: (traces / 1e6) * prices.xrayPerMillionTraces },
  ];
}

/** Monthly cost of each automatic front-end option for one model (reads excluded: equal in both). */
export interface FrontEndCosts {
  /** ALB + Fargate, with the VPC endpoints it needs (the first service pays for the network). */
  readonly serviceUsd: number;
  /** HTTP API + Lambda. */
  readonly apiUsd: number;
}

export function frontEndCosts(d: ServingDemand, prices: RegionPrices = pricesFor(DEFAULT_PRICE_REGION)): FrontEndCosts {
  return {
    serviceUsd: sumUsd(serviceLines(d, prices)) + endpointsLine(SERVICE_ENDPOINTS, prices).usd,
    apiUsd: sumUsd(apiLines(d, prices)),
  };
}

/** The cheaper front end; a tie goes to the service (it holds its latency under bursts). */
export function chooseFrontEnd(costs: FrontEndCosts): ServingFrontEnd {
  return costs.serviceUsd <= costs.apiUsd ? ServingFrontEnd.SERVICE : ServingFrontEnd.API;
}

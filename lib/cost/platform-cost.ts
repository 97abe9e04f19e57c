// The monthly bill of a whole platform from its model specs: every model's lines, plus what the
// models share (one network, the platform's keys, alarms and dashboard).
import { needsFeatureStoreRuntime, needsNetwork } from '../platform/model-outputs';
import { NetworkProvisioning } from '../platform/platform-network';
import { ModelSpec, TrainingEngine } from '../spec/model-spec';
import { CostLine, UnscopedLine, qty, sumUsd } from './cost-line';
import { chooseFrontEnd, endpointsLine, frontEndCosts } from './front-end';
import { DEFAULT_PRICE_REGION, PRICES_AS_OF, pricesFor, RegionPrices } from './prices';
import { modelCostLines } from './model-cost';
import { servingDemand } from './serving-demand';
import { BATCH_ENDPOINTS, SERVICE_ENDPOINTS, USAGE } from './usage';

/** The scope of the lines every model shares. */
export const PLATFORM_SCOPE = 'platform';

/** Props of {@link PlatformCost}. */
export interface PlatformCostProps {
  /** The models, as `loadModelSpecs` returns them. */
  readonly models: ModelSpec[];
  /**
   * Region whose list prices are used (lib/cost/prices.ts covers us-east-1 and eu-west-1).
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * Month of operation the bill is for: dataset storage and the predictions archive grow every month.
   * @default 12
   */
  readonly monthOfOperation?: number;
  /**
   * How the platform creates its network, as given to `MlopsPlatformStacks` / `MlopsPlatform`:
   * up front with every endpoint a model may need, or on demand with the ones its models need.
   * @default NetworkProvisioning.UP_FRONT
   */
  readonly network?: NetworkProvisioning;
}

/** Both automatic front-end options of one model, and the one it is served with. */
export interface FrontEndComparison {
  readonly model: string;
  /** The front end in the spec (declared or chosen). */
  readonly serving: string;
  /** The front end the cost model finds cheaper. */
  readonly cheaper: string;
  readonly serviceUsd: number;
  readonly apiUsd: number;
}

/** A platform's monthly bill, computed from the specs alone (no AWS access). */
export class PlatformCost {
  readonly region: string;
  readonly pricesAsOf = PRICES_AS_OF;
  readonly monthOfOperation: number;
  /** Every line: each model's, then the platform's shared ones. */
  readonly lines: CostLine[];
  readonly frontEnds: FrontEndComparison[];
  readonly totalUsd: number;

  constructor(props: PlatformCostProps) {
    this.region = props.region ?? DEFAULT_PRICE_REGION;
    const prices = pricesFor(this.region);
    this.monthOfOperation = props.monthOfOperation ?? 12;
    if (!Number.isInteger(this.monthOfOperation) || this.monthOfOperation < 1 || this.monthOfOperation > 120) {
      throw new Error(`monthOfOperation must be a whole number from 1 to 120, but ${this.monthOfOperation} was provided: give the month of operation the bill is for (1 = the first)`);
    }
    this.lines = [
      ...props.models.flatMap((spec) => modelCostLines(spec, prices, this.monthOfOperation).map((l) => ({ scope: spec.name, ...l }))),
      ...sharedLines(props.models, props.network ?? NetworkProvisioning.UP_FRONT, prices).map((l) => ({ scope: PLATFORM_SCOPE, ...l })),
    ];
    this.frontEnds = props.models.map((spec) => {
      const costs = frontEndCosts(servingDemand(spec), prices);
      return { model: spec.name, serving: spec.inference.serving, cheaper: chooseFrontEnd(costs), ...costs };
    });
    this.totalUsd = sumUsd(this.lines);
  }

  /** The monthly cost of one scope: a model name or `platform`. */
  scopeUsd(scope: string): number {
    return sumUsd(this.lines.filter((l) => l.scope === scope));
  }

  /** The scopes in bill order: each model, then `platform`. */
  get scopes(): string[] {
    return [...new Set(this.lines.map((l) => l.scope))];
  }
}

/** The endpoints of the platform's one network, as `PlatformNetwork` creates them. */
export function platformEndpoints(models: readonly ModelSpec[], network: NetworkProvisioning): string[] {
  // Added once some model's ingestion job writes to its feature groups, in either mode.
  const featureStore = models.some(needsFeatureStoreRuntime) ? ['sagemaker.featurestore-runtime'] : [];
  if (network === NetworkProvisioning.UP_FRONT) return [...new Set([...SERVICE_ENDPOINTS, ...BATCH_ENDPOINTS, ...featureStore])];
  return [...new Set<string>([
    ...(models.some(needsNetwork) ? SERVICE_ENDPOINTS : []),
    ...(models.some((m) => m.training.backend === TrainingEngine.BATCH) ? BATCH_ENDPOINTS : []),
    ...featureStore,
  ])];
}

/** One network for the platform (issue 10 §2), and what the models share. */
function sharedLines(models: readonly ModelSpec[], network: NetworkProvisioning, prices: RegionPrices): UnscopedLine[] {
  const endpoints = platformEndpoints(models, network);
  const lines: UnscopedLine[] = endpoints.length ? [endpointsLine(endpoints, prices)] : [];
  return [
    ...lines,
    {
      group: 'monitoring', item: `platform alarms (${USAGE.alarmMetricsPlatform} metrics read), ${USAGE.compositeAlarmsPlatform} paging composite, dashboard`,
      quantity: qty(USAGE.alarmMetricsPlatform, 'alarm metrics'),
      usd: USAGE.alarmMetricsPlatform * prices.alarmMetricMonth + USAGE.compositeAlarmsPlatform * prices.compositeAlarmMonth + prices.dashboardMonth,
    },
    { group: 'keys', item: 'KMS keys (data, topic, platform stack logs)', quantity: qty(USAGE.platformKeys, 'keys'), usd: USAGE.platformKeys * prices.kmsKeyMonth },
  ];
}

// The spec loader's serving choice: as declared, or the front end the cost model finds cheaper.
// Both options' monthly costs go into the reason, which synth prints for every model.
import { ServingFrontEnd } from '../spec/model-spec';
import { chooseFrontEnd, frontEndCosts } from './front-end';
import { DEFAULT_PRICE_REGION, PRICES_AS_OF } from './prices';
import { ServingDemandSource, servingDemand } from './serving-demand';

export function chooseServing(declared: ServingFrontEnd | undefined, spec: ServingDemandSource): { frontEnd: ServingFrontEnd; reason: string } {
  const costs = frontEndCosts(servingDemand(spec));
  const compared = `cost model (${DEFAULT_PRICE_REGION} list prices of ${PRICES_AS_OF}, DynamoDB reads excluded): `
    + `"service" (ALB + Fargate + VPC endpoints) $${costs.serviceUsd.toFixed(0)}/month, "api" (HTTP API + Lambda) $${costs.apiUsd.toFixed(0)}/month`;
  if (declared) return { frontEnd: declared, reason: `serving "${declared}" declared in the spec; ${compared}` };
  const frontEnd = chooseFrontEnd(costs);
  return { frontEnd, reason: `serving "${frontEnd}" chosen as the cheaper front end at avg ${spec.inference.tps.avg} TPS; ${compared}` };
}

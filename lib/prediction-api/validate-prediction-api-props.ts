import { Token } from 'aws-cdk-lib';
import type { PredictionApiProps } from './prediction-api';
import { validatePeakWindows } from '../prediction-service/serving-props';

/** What PredictionApi checks before building anything; the store and registry are not checked. */
export type PredictionApiChecked = Pick<PredictionApiProps, 'maxTps' | 'provisionedConcurrency' | 'peakWindows'>;

export function validatePredictionApiProps(props: PredictionApiChecked): void {
  const maxTps = props.maxTps ?? 100;
  if (!Token.isUnresolved(maxTps) && (!Number.isFinite(maxTps) || maxTps <= 0)) throw new Error(`maxTps must be a positive number, but ${maxTps} was provided`);
  const pc = props.provisionedConcurrency ?? 0;
  if (!Token.isUnresolved(pc) && (!Number.isInteger(pc) || pc < 0)) throw new Error(`provisionedConcurrency must be a whole number >= 0, but ${pc} was provided`);
  validatePeakWindows(props.peakWindows);
  if (props.peakWindows?.length && pc === 0) {
    throw new Error('peakWindows only schedule provisioned concurrency on the API, but provisionedConcurrency is 0: set provisionedConcurrency or drop peakWindows');
  }
}

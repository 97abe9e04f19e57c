// Adapters from the shared name and number rules (lambda/shared/names-and-numbers.ts) to
// construct props, where a value may be an unresolved token known only at deploy time.
import { Token } from 'aws-cdk-lib';
import { assertWholeNumber } from '../../lambda/shared/names-and-numbers';

/** Checks an optional whole-number prop against `[min, max]`; undefined and tokens pass. */
export function wholeNumberProp(field: string, value: number | undefined, min: number, max?: number, why = ''): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  assertWholeNumber(field, value, min, max, why);
}

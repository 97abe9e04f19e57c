import { Token } from 'aws-cdk-lib';
import { MODEL_NAME_RULE, isModelName } from '../../lambda/shared/names-and-numbers';

/**
 * Checks of the attributes a `fromXxxAttributes` import receives. Unresolved tokens (SSM
 * parameters, cross-stack references) pass: they are only known at deploy time.
 */
export function validateImportedModelName(construct: string, field: string, value: string): void {
  if (!Token.isUnresolved(value) && !isModelName(value)) {
    throw new Error(`${construct}: ${field} must be ${MODEL_NAME_RULE}, but ${JSON.stringify(value)} was provided`);
  }
}

export function validateImportedModelNames(construct: string, field: string, values: string[]): void {
  if (!Token.isUnresolved(values) && values.length === 0) {
    throw new Error(`${construct}: ${field} must name at least one served model, but an empty list was provided`);
  }
  values.forEach((v, i) => validateImportedModelName(construct, `${field}[${i}]`, v));
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` with the given resource pattern. */
export function validateImportedArn(construct: string, field: string, value: string, service: string, resource: RegExp, example: string): void {
  if (Token.isUnresolved(value)) return;
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== service || !resource.test(parts.slice(5).join(':'))) {
    throw new Error(`${construct}: ${field} must be an ARN like ${example}, but ${JSON.stringify(value)} was provided`);
  }
}

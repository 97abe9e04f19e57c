import type { AslDefinition } from './runner';

interface ValidatorResult { isValid: boolean; errorsText: (separator?: string) => string }

/** Validates a definition with asl-validator; throws with every error when it is invalid. */
export function validateDefinition(definition: AslDefinition): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validator = require('asl-validator') as (d: unknown, o?: unknown) => ValidatorResult;
  // The validator annotates the definition it reads; give it a copy.
  const result = validator(JSON.parse(JSON.stringify(definition)), { checkPaths: true, checkArn: true });
  if (!result.isValid) throw new Error(`invalid state machine definition: ${result.errorsText('; ')}`);
}

/** Asserts the definition uses JSONPath only (the local interpreter silently ignores JSONata). */
export function assertJsonPath(definition: AslDefinition): void {
  const text = JSON.stringify(definition);
  if ((definition as { QueryLanguage?: string }).QueryLanguage === 'JSONata' || /"QueryLanguage":"JSONata"/.test(text)) {
    throw new Error('the definition uses JSONata, which the local interpreter ignores: write the state machine in JSONPath');
  }
}

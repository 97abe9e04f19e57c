// The JSON Schema of model.yaml, generated from the spec declaration (spec-fields.ts) and
// shipped as schema/model-spec.schema.json so editors complete and check spec files. A test
// fails when the shipped file is stale; it prints the command that regenerates it.
import { JsonSchema } from './fields';
import { specField } from './spec-fields';

/** Where the schema is published in the package. */
export const SPEC_SCHEMA_PATH = 'schema/model-spec.schema.json';

/** The JSON Schema (draft-07) of a model spec file. */
export function generateSpecSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/cdk-mlops/cdk-mlops/schema/model-spec.schema.json',
    ...specField.schema(),
  };
}

/** The schema file's exact text (2-space JSON, trailing newline). */
export function renderSpecSchema(): string {
  return `${JSON.stringify(generateSpecSchema(), null, 2)}\n`;
}

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPEC_SCHEMA_PATH, generateSpecSchema, renderSpecSchema } from '../../lib/spec';

describe('the shipped JSON Schema', () => {
  test('is the one generated from the spec declaration (regenerate it when this fails)', () => {
    const file = join(__dirname, '..', '..', SPEC_SCHEMA_PATH);
    if (process.env.UPDATE_SPEC_SCHEMA === '1') writeFileSync(file, renderSpecSchema());
    if (readFileSync(file, 'utf8') !== renderSpecSchema()) {
      throw new Error(`${SPEC_SCHEMA_PATH} is stale: the spec declaration (lib/spec/spec-fields.ts) changed. Regenerate it with:\n`
        + '  UPDATE_SPEC_SCHEMA=1 npx jest test/spec/schema.test.ts\n'
        + `or, after npm run build: node -e "require('fs').writeFileSync('${SPEC_SCHEMA_PATH}', require('./dist/lib/spec').renderSpecSchema())"`);
    }
  });

  test('carries the human-form defaults and closes every object to unknown fields', () => {
    const schema = generateSpecSchema() as any;
    const inference = schema.properties.inference;
    expect(inference.properties.ttl).toMatchObject({ type: 'string', default: '3d', pattern: expect.any(String) });
    expect(inference.properties.slo.properties.p95.default).toBe('300ms');
    expect(inference.properties.tps.properties.avg.default).toBe(300);
    expect(schema.properties.training.properties.volumeSize.default).toBe('30GiB');
    expect(schema.required).toEqual(['description', 'owner', 'evaluation']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.evaluation.additionalProperties).toBe(false);
    expect(inference.properties.mode.enum).toEqual(['batch', 'online', 'both']);
  });
});

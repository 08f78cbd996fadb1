import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { pipelineSchemaFor } from '../../src/engine/load/pipeline-schema.ts';
import { builtinStages } from '../../src/stages/registry.ts';

// The loader compiles these without checking them against the meta-schema (it saves
// every run ~50 ms), so they are checked here.
describe("rxlab's own schemas", () => {
  const ajv = new Ajv({ allowUnionTypes: true });
  ajv.addKeyword('patternErrorMessage');

  it.each([...builtinStages].map(([name, stage]) => [name, stage.params]))('%s params schema is a valid draft-07 schema', (_, schema) => {
    expect(ajv.validateSchema(schema), ajv.errorsText()).toBe(true);
  });

  it('the pipeline schema (structure and per-stage) is a valid draft-07 schema', () => {
    expect(ajv.validateSchema(pipelineSchemaFor(new Map()))).toBe(true);
    expect(ajv.validateSchema(pipelineSchemaFor(builtinStages)), ajv.errorsText()).toBe(true);
  });

  it('rejects an invalid schema (so the checks above can fail)', () => {
    expect(ajv.validateSchema({ type: 'strin' })).toBe(false);
  });
});

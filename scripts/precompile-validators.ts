/**
 * Ahead-of-time validators for the bundle: ajv's standalone code for rxlab's own schemas
 * (the pipeline structure and each built-in stage's params), as the source of a module
 * that takes the place of precompiled-validators.ts. Run by scripts/build.mjs.
 */
// CommonJS with a `default` export: Node hands ESM importers the whole module.exports.
import standalone from 'ajv/dist/standalone/index.js';
import { builtinStages } from '../src/stages/registry.ts';
import { createAjv, schemaHash } from '../src/engine/load/ajv-setup.ts';
import { pipelineSchemaFor } from '../src/engine/load/pipeline-schema.ts';
import type { JsonSchema } from '../src/contract/stage.ts';

/** The schemas the loader compiles as trusted, by hash. */
export function trustedSchemas(): Map<string, JsonSchema> {
  const schemas = [pipelineSchemaFor(new Map()), ...[...builtinStages.values()].map((stage) => stage.params)];
  return new Map(schemas.map((schema) => [schemaHash(schema), schema]));
}

/** The module's source: one exported validator per schema, and `precompiled` mapping hashes to them. */
export function precompiledValidatorsSource(): string {
  const ajv = createAjv({ source: true });
  const exports: Record<string, string> = {};
  for (const [hash, schema] of trustedSchemas()) {
    ajv.addSchema(schema, hash);
    exports[`v${hash.slice(0, 16)}`] = hash;
  }
  const entries = Object.entries(exports).map(([name, hash]) => `  '${hash}': ${name},`);
  return `${standalone.default(ajv, exports)}\nexport const precompiled = {\n${entries.join('\n')}\n};\n`;
}

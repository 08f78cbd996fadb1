/**
 * The one ajv set-up every schema is compiled with, at run time (load-schema.ts) and
 * ahead of time for the bundle (precompile-validators.ts): the same options give the same
 * validation code and the same errors either way.
 */
import { createHash } from 'node:crypto';
import { Ajv, type Options } from 'ajv';
import type { JsonSchema } from '../../contract/stage.ts';

// `useDefaults` fills stage params' defaults (the pipeline schema has none); `verbose`
// gives errors their data and schema; `strictNumbers` refuses .nan and .inf, which JSON
// (run.json, hashes) cannot hold. Compilation is on every run's path and validation
// checks one small file: ajv's code optimiser costs more than it saves.
const OPTIONS: Options = {
  allErrors: true,
  verbose: true,
  useDefaults: true,
  strictNumbers: true,
  allowUnionTypes: true,
  discriminator: true,
  code: { optimize: false },
};

/** A new ajv instance with rxlab's options; `source` also keeps the code for standalone export. */
export function createAjv({ source = false } = {}): Ajv {
  const ajv = new Ajv({ ...OPTIONS, code: { ...OPTIONS.code, source, esm: source } });
  // VS Code's and yaml-language-server's message for a failed `pattern`; ours too.
  ajv.addKeyword('patternErrorMessage');
  return ajv;
}

/** Identifies a schema by content, to find its ahead-of-time validator. */
export const schemaHash = (schema: JsonSchema): string => createHash('sha256').update(JSON.stringify(schema)).digest('hex');

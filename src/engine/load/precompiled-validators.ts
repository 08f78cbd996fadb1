/**
 * Validators of rxlab's own schemas compiled ahead of time, by `schemaHash`. Empty when
 * rxlab runs from its sources; the bundle build (scripts/build.mjs) puts in its place
 * ajv's standalone code for the pipeline schema and every built-in stage's params (see
 * scripts/precompile-validators.ts), so a run does not spend its start compiling them.
 */
import type { ValidateFunction } from 'ajv';

export const precompiled: Readonly<Record<string, ValidateFunction>> = {};

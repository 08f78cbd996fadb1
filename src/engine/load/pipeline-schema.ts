/**
 * The JSON Schema of pipeline files, for the loader and for editors.
 *
 * The loader validates against the structural part (`pipelineSchemaFor(new Map())`) and
 * checks each stage's `with:` against that stage's own params schema itself, so it never
 * reports a params error twice. Editors get `schemas/pipeline.schema.json`, which adds
 * each built-in stage's params (`if uses is "train" then with is <train's params>`).
 * `npm run generate` (scripts/generate.ts) writes that file from the stage definitions;
 * a test fails while the committed file is out of date.
 */
import type { JsonSchema, Stage } from '../../contract/stage.ts';

/** Stage ids: the keys under `stages:`. */
export const STAGE_ID_PATTERN = '^[A-Za-z][A-Za-z0-9_-]*$';
/** An input reference: `stageId.output`, or `stageId` for a stage with one output. */
export const REFERENCE_PATTERN = '^[A-Za-z][A-Za-z0-9_-]*(\\.[A-Za-z_][A-Za-z0-9_-]*)?$';
/** Folders of a pipeline's output space that hold runs other than the base one (record/target.ts); no stage may take these ids. */
export const RESERVED_STAGE_IDS = ['runs', 'sweeps'];

/** A metric as sweeps and experiments name it: `evaluate.accuracy`. */
export const METRIC_PATTERN = '^[A-Za-z][A-Za-z0-9_-]*\\.[^.]+$';

/** Pipeline names (they name output folders). */
export const NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*$';
/** A param of a stage, as `--set` and sweeps name it: `train.optimizer.lr`. */
export const PARAM_PATH_PATTERN = '^[A-Za-z][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)+$';

/** The pipeline schema, with `with:` typed per built-in stage for those in `stages` (by their `uses:` name). */
export function pipelineSchemaFor(stages: ReadonlyMap<string, Stage>): JsonSchema {
  const names = [...stages.keys()];
  const stage: JsonSchema = {
    type: 'object',
    description: 'One step of the pipeline: the stage it runs (uses), its params (with) and where its inputs come from (inputs).',
    additionalProperties: false,
    required: ['uses'],
    properties: {
      uses: {
        type: 'string',
        minLength: 1,
        description: 'The stage to run: a built-in stage by name, or a module path relative to this file (./stages/my-stage.ts) whose default export is a defineStage(...).',
        ...(names.length > 0 ? { examples: names } : {}),
      },
      with: {
        type: 'object',
        description: "The stage's params, checked against the stage's own schema; params left out take their defaults.",
      },
      inputs: {
        type: 'object',
        description: "The stage's inputs: input port name -> the output that feeds it, as stageId.output (or stageId when that stage has exactly one output).",
        additionalProperties: {
          type: 'string',
          pattern: REFERENCE_PATTERN,
          patternErrorMessage: 'expected a reference stageId.output (or stageId for a stage with one output)',
          description: 'The output feeding this port: stageId.output, or stageId when that stage has exactly one output.',
        },
      },
    },
    ...(names.length > 0 ? { allOf: names.map((name) => paramsFor(name, stages.get(name) as Stage)) } : {}),
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'rxlab pipeline',
    description: 'A reproducible ML pipeline: named stages, each running a stage with params and reading outputs of earlier stages.',
    type: 'object',
    additionalProperties: false,
    required: ['stages'],
    properties: {
      name: {
        type: 'string',
        pattern: NAME_PATTERN,
        patternErrorMessage: 'expected a name of lowercase letters, digits, _ and -, starting with a letter or digit',
        description: 'The pipeline name, used for its output folder; defaults to the file name without .yaml/.yml.',
      },
      description: { type: 'string', description: 'What the pipeline is for; free text.' },
      sweep: {
        type: 'object',
        description: 'What `rxlab sweep FILE` varies: a grid of param values, every combination (or `random` of them) run as its own trial.',
        additionalProperties: false,
        required: ['grid'],
        properties: {
          grid: {
            type: 'object',
            description:
              'Param path (stageId.param.sub) -> the values to try: a list, e.g. train.optimizer.lr: [0.001, 0.01, 0.1], or range(START, STOP[, STEP]), linspace(START, STOP, N), logspace(START, STOP, N), choice(A, B, …).',
            minProperties: 1,
            propertyNames: {
              pattern: PARAM_PATH_PATTERN,
              patternErrorMessage: 'expected a param path stageId.param (e.g. train.optimizer.lr)',
            },
            additionalProperties: {
              anyOf: [
                { type: 'array', minItems: 1, description: 'The values to try, in order.' },
                {
                  type: 'string',
                  pattern: '^\\s*(choice|range|linspace|logspace)\\s*\\(.*\\)\\s*$',
                  patternErrorMessage: 'expected a list of values or range(START, STOP[, STEP]), linspace(START, STOP, N), logspace(START, STOP, N), choice(A, B, …)',
                  description: 'Values generated by range(), linspace(), logspace() or listed by choice().',
                },
              ],
            },
          },
          random: { type: 'integer', minimum: 1, description: 'Run this many combinations, drawn with `seed`, instead of all of them.' },
          seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'Seed of the random draw of combinations (default 0).' },
          objective: {
            type: 'string',
            pattern: METRIC_PATTERN,
            patternErrorMessage: 'expected a metric stageId.metric (e.g. evaluate.accuracy)',
            description: "The metric that decides the best trial, as stageId.metric (e.g. evaluate.accuracy), in the direction its stage declares unless `direction` says; default: the pipeline's last declared metric.",
          },
          direction: { enum: ['maximize', 'minimize'], description: "Which way the objective is better, instead of the direction its stage declares." },
          queue: {
            type: 'string',
            pattern: '^rediss?://',
            patternErrorMessage: 'expected a Redis URL, redis://host:port[/db] or rediss:// for TLS',
            description: 'Run the trials on `rxlab worker` processes through this Redis (BullMQ) instead of local workers; keep passwords out of the file (REDIS_URL or --queue-file).',
          },
        },
      },
      stages: {
        type: 'object',
        description: 'The stages, by id (a letter, then letters, digits, _ or -). Inputs refer to other stages by these ids.',
        minProperties: 1,
        propertyNames: {
          pattern: STAGE_ID_PATTERN,
          patternErrorMessage: 'expected a stage id: a letter, then letters, digits, _ or -',
        },
        additionalProperties: { $ref: '#/definitions/stage' },
      },
    },
    definitions: { stage },
  };
}

/** `if uses is <name> then with is <the stage's params>`, described by the stage's description. */
function paramsFor(name: string, stage: Stage): JsonSchema {
  return {
    if: { type: 'object', properties: { uses: { const: name } }, required: ['uses'] },
    then: { type: 'object', properties: { with: { description: stage.description, ...stage.params } } },
  };
}

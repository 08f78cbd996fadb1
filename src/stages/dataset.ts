/** `uses: dataset` — a user's own data: a CSV or JSON file beside the pipeline, or X and y inline. */
import { readFile } from 'node:fs/promises';
import { extname, relative, resolve } from 'node:path';
import { from } from 'rxjs';
import { concatMap } from 'rxjs/operators';
import type { Dataset } from '../data.ts';
import { defineStage, jsonArtifact, type StageEvent } from '../contract/stage.ts';
import { DatasetError, checkDataset, parseCsv, parseJsonDataset } from './dataset-file.ts';

/** Where the data is: a file (`path`, with `label` for a CSV) or inline `X` and `y`. */
export interface DataSource {
  path?: string;
  label?: string | number;
  X?: number[][];
  y?: number[];
}

/** Reads and checks the data the params point at; problems come out as one DatasetError. */
export async function readDataset(params: DataSource, pipelineDir: string): Promise<Dataset> {
  if (params.path === undefined) {
    const problems = checkDataset(params.X, params.y, (path) => `with.${path}`);
    if (problems.length) throw new DatasetError(problems);
    return { X: params.X!, y: params.y! };
  }
  const file = resolve(pipelineDir, params.path);
  const shown = relative(process.cwd(), file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    const why = code === 'ENOENT' ? `not found (looked for ${file})` : `cannot read the data file (${code ?? message})`;
    throw new DatasetError([{ where: shown, message: `${why}; path is relative to the pipeline file` }]);
  }
  return extname(file).toLowerCase() === '.json' ? parseJsonDataset(text, shown) : parseCsv(text, shown, params.label);
}

export const datasetStage = defineStage({
  name: 'dataset',
  description: 'A dataset from a CSV or JSON file (relative to the pipeline file) or given inline as X and y.',
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'a .csv (numbers; label in the last column unless `label` says) or .json ({"X": [[…]], "y": […]}) file' },
      label: { type: ['string', 'integer'], description: 'CSV only: the label column, by header name or 0-based index' },
      X: { type: 'array', items: { type: 'array', items: { type: 'number' } }, description: 'inline features, one row per sample' },
      y: { type: 'array', items: { type: 'integer', minimum: 0 }, description: 'inline class labels, one per row of X' },
    },
    oneOf: [{ required: ['path'] }, { required: ['X', 'y'] }],
    additionalProperties: false,
  },
  outputs: { dataset: { kind: 'dataset' } },
  reads: (params) => (params.path === undefined ? [] : [params.path]),
  run: (ctx) =>
    from(readDataset(ctx.params, ctx.pipelineDir)).pipe(
      concatMap((dataset): StageEvent[] => [jsonArtifact('dataset.json', dataset, false), ctx.output('dataset', dataset)]),
    ),
});

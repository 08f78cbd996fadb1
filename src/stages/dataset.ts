/**
 * `uses: dataset` — a user's own data: a CSV or JSON file beside the pipeline, or X and y
 * inline. Inline data is checked with the params; a file is read and checked by the
 * stage's preflight, before anything runs (problems at their line and column in the
 * file, exit 2), and the run reuses what the preflight parsed when the file has not
 * changed since (same sha256).
 */
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { from } from 'rxjs';
import { concatMap } from 'rxjs/operators';
import type { Dataset } from '../data.ts';
import { defineStage, largeJsonArtifact, type PreflightProblem, type StageEvent } from '../contract/stage.ts';
import { sha256 } from '../util/canonical.ts';
import { shown as shownPath } from '../util/paths.ts';
import { UnreadableFileError, formatBytes, readRegularFile } from '../util/read-file.ts';
import { runSteps } from '../util/steps.ts';
import { DatasetError, checkDataset, parseCsvSteps, parseJsonDataset } from './dataset-file.ts';
import { datasetBytes, datasetFacts, describeDataset } from './preflight.ts';

/** Where the data is: a file (`path`, with `label` for a CSV) or inline `X` and `y`. */
export interface DataSource {
  path?: string;
  label?: string | number;
  X?: number[][];
  y?: number[];
}

/** Data files above this are refused unread: a text this size is already near what V8 can hold as one string. */
export const MAX_DATA_BYTES = 256 * 1024 * 1024;
/** Memory per byte of a data file while it is parsed and held: the text, its lines, the rows, the JSON written from them. */
const BYTES_PER_FILE_BYTE = 12;

/** The last file parsed, by content: the preflight's parse, reused by the run when the file is the same. */
let lastParsed: { sha256: string; label: string | number | undefined; dataset: Dataset } | undefined;

/** Reads and checks the data the params point at; problems come out as one DatasetError. */
export async function readDataset(params: DataSource, pipelineDir: string, signal?: AbortSignal): Promise<Dataset> {
  if (params.path === undefined) {
    const problems = checkDataset(params.X, params.y, (path) => `with.${path}`);
    if (problems.length) throw new DatasetError(problems);
    return { X: params.X!, y: params.y! };
  }
  const file = resolve(pipelineDir, params.path);
  const shown = shownPath(file);
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(file, { maxBytes: MAX_DATA_BYTES });
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) throw err;
    const why = err.reason === 'missing' ? `not found (looked for ${file}); path is relative to the pipeline file` : err.why;
    throw new DatasetError([{ where: shown, message: why }]);
  }
  const hash = sha256(bytes);
  if (lastParsed?.sha256 === hash && lastParsed.label === params.label) return lastParsed.dataset;
  const text = bytes.toString('utf8');
  const dataset = extname(file).toLowerCase() === '.json' ? parseJsonDataset(text, shown) : await runSteps(parseCsvSteps(text, shown, params.label), signal);
  lastParsed = { sha256: hash, label: params.label, dataset };
  return dataset;
}

/** A DatasetError's problems as preflight problems: at their line in a CSV, or at the param (inline data, a file that cannot be read). */
function asProblems(err: DatasetError, inline: boolean): PreflightProblem[] {
  return err.problems.map((p) =>
    p.line !== undefined
      ? { path: ['with', 'path'], message: p.message, file: { path: p.where.replace(/:\d+:\d+$/, ''), line: p.line, col: p.col ?? 1 } }
      : inline && p.path
        ? { path: ['with', ...p.path], message: p.message }
        : { path: ['with', 'path'], message: `${p.where}: ${p.message}` },
  );
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
  check: (params) => (params.path === undefined ? checkDataset(params.X, params.y, (path) => path).map((p) => ({ path: p.path ?? ['X'], message: p.message })) : []),
  preflight: async (params, _inputs, ctx) => {
    if (params.path !== undefined) {
      const size = await fileSize(resolve(ctx.pipelineDir, params.path));
      // Too large to read here: say so through the memory estimate, which the planner holds to --max-memory.
      if (size !== undefined && size * BYTES_PER_FILE_BYTE > (ctx.maxMemory ?? Infinity)) {
        return { memory: { bytes: size * BYTES_PER_FILE_BYTE, path: ['with', 'path'], what: `reading ${params.path} (${formatBytes(size)})` } };
      }
    }
    let dataset: Dataset;
    try {
      dataset = await readDataset(params, ctx.pipelineDir, ctx.signal);
    } catch (err) {
      if (err instanceof DatasetError) return { problems: asProblems(err, params.path === undefined) };
      throw err;
    }
    const samples = dataset.y.length;
    const features = dataset.X[0]?.length ?? 0;
    return {
      outputs: { dataset: datasetFacts(samples, features, dataset.y) },
      memory: { bytes: datasetBytes(samples, features), path: ['with', params.path === undefined ? 'X' : 'path'], what: describeDataset(samples, features) },
    };
  },
  run: (ctx) =>
    from(readDataset(ctx.params, ctx.pipelineDir)).pipe(
      concatMap(async (dataset): Promise<StageEvent[]> => [await largeJsonArtifact('dataset.json', dataset, ctx.signal), ctx.output('dataset', dataset)]),
      concatMap((events) => events),
    ),
});

function fileSize(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  );
}

/**
 * Maps `uses:` to a stage: a built-in by name, or a user's module by path
 * (`./stages/noise.ts`, relative to the pipeline file). Both are made with
 * `defineStage`, so the engine treats them alike.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StageResolutionError, type ResolvedStage } from '../contract/resolve.ts';
import { isStage, type Stage } from '../contract/stage.ts';
import { formatBytes, kindOf } from '../util/read-file.ts';
import { didYouMean } from '../util/suggest.ts';
import { ensureTypeScript, shareRxlabPackages } from '../typescript.ts';
import { blobsStage } from './blobs.ts';
import { circlesStage } from './circles.ts';
import { checkpointStage } from './checkpoint.ts';
import { datasetStage } from './dataset.ts';
import { decisionChartStage, lossChartStage, scatterChartStage } from './charts.ts';
import { earlyStopStage } from './early-stop.ts';
import { evaluateStage } from './evaluate.ts';
import { liveLossChartStage } from './live-loss-chart.ts';
import { modelStage } from './model.ts';
import { moonsStage } from './moons.ts';
import { splitStage } from './split.ts';
import { trainStage } from './train.ts';
import { xorStage } from './xor.ts';

/** Built-in stages by the name users write after `uses:`. */
export const builtinStages: ReadonlyMap<string, Stage> = new Map(
  [
    blobsStage,
    datasetStage,
    xorStage,
    moonsStage,
    circlesStage,
    splitStage,
    modelStage,
    trainStage,
    evaluateStage,
    scatterChartStage,
    decisionChartStage,
    lossChartStage,
    earlyStopStage,
    checkpointStage,
    liveLossChartStage,
  ].map((s) => [s.name, s]),
);

/** A stage module is code someone wrote: larger than this, it is not one. */
const MAX_MODULE_BYTES = 16 * 1024 * 1024;

const isModulePath = (uses: string): boolean => uses.startsWith('./') || uses.startsWith('../') || uses.startsWith('/');

/** The resolver rxlab runs pipelines with: a built-in by name, or a user's module by path. */
export async function resolveStage(uses: string, pipelineDir: string): Promise<ResolvedStage> {
  if (!isModulePath(uses)) {
    const stage = builtinStages.get(uses);
    if (stage) return { stage };
    throw new StageResolutionError(
      `unknown stage "${uses}"${didYouMean(uses, builtinStages.keys())}; built-in stages are ${[...builtinStages.keys()].join(', ')}, or give a module path such as ./stages/my-stage.ts`,
    );
  }
  const file = resolve(pipelineDir, uses);
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats) throw new StageResolutionError(`stage module ${uses} not found (looked for ${file})`);
  if (stats.isDirectory()) throw new StageResolutionError(`stage module ${uses} is a folder; give the module's file, e.g. ${uses.replace(/\/$/, '')}/index.ts`);
  // Importing a FIFO would wait forever, a device (/dev/zero) would never end.
  if (!stats.isFile()) throw new StageResolutionError(`stage module ${uses} is ${kindOf(stats)}, not a regular file; give the module's file`);
  if (stats.size > MAX_MODULE_BYTES) throw new StageResolutionError(`stage module ${uses} is ${formatBytes(stats.size)}; stage modules are limited to ${formatBytes(MAX_MODULE_BYTES)}`);
  let mod: Record<string, unknown>;
  try {
    shareRxlabPackages();
    if (/\.[cm]?tsx?$/.test(file)) await ensureTypeScript();
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new StageResolutionError(`stage module ${uses} ${loadFailure(err)}`);
  }
  if (!isStage(mod.default)) {
    throw new StageResolutionError(`stage module ${uses} has no stage as its default export (${exported(mod)}); export default defineStage({ … })`);
  }
  return { stage: mod.default, module: file };
}

/** Why importing a stage module failed, worded to point at the fix. */
function loadFailure(err: unknown): string {
  if (!(err instanceof Error)) return `failed to load: ${String(err)}`;
  // tsx (esbuild) says "Transform failed with N error(s):", then one `file:line:col: ERROR: …` line each.
  if (err.name === 'TransformError') return `does not compile: ${err.message.split('\n').slice(1).join('; ').replaceAll('ERROR: ', '')}`;
  // Node's "Cannot require() ES Module … in a cycle", when tsx compiled the module as CommonJS.
  if ((err as NodeJS.ErrnoException).code === 'ERR_REQUIRE_CYCLE_MODULE') {
    return 'failed to load: it was compiled as CommonJS, as a .ts file is unless the nearest package.json says "type": "module"; add that, or rename the file to .mts';
  }
  return `failed to load: ${err.message.split('\n')[0]}`;
}

/** What a module exports instead of a stage. */
function exported(mod: Record<string, unknown>): string {
  const value = mod.default;
  if (value === undefined) {
    const names = Object.keys(mod).filter((k) => k !== 'default');
    return names.length > 0 ? `it exports only ${names.join(', ')}` : 'it exports nothing';
  }
  if (value === null) return 'its default export is null';
  return typeof value === 'object' ? 'its default export is an object not made with defineStage' : `its default export is a ${typeof value}`;
}

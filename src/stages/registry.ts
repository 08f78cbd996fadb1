/**
 * Maps `uses:` to a stage: a built-in by name, or a user's module by path
 * (`./stages/noise.ts`, relative to the pipeline file). Both are made with
 * `defineStage`, so the engine treats them alike.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isStage, type Stage } from '../engine/stage.ts';
import { didYouMean } from '../engine/suggest.ts';
import { ensureTypeScript } from '../typescript.ts';
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
  ([blobsStage, datasetStage, xorStage, moonsStage, circlesStage, splitStage, modelStage, trainStage, evaluateStage, scatterChartStage, decisionChartStage, lossChartStage, earlyStopStage, checkpointStage, liveLossChartStage] as Stage[]).map((s) => [s.name, s]),
);

/** A `uses:` that names no stage; the loader turns it into a positioned diagnostic. */
export class StageResolutionError extends Error {
  override name = 'StageResolutionError';
}

export const isModulePath = (uses: string): boolean => uses.startsWith('./') || uses.startsWith('../') || uses.startsWith('/');

export async function resolveStage(uses: string, pipelineDir: string): Promise<Stage> {
  if (!isModulePath(uses)) {
    const stage = builtinStages.get(uses);
    if (stage) return stage;
    throw new StageResolutionError(
      `unknown stage "${uses}"${didYouMean(uses, builtinStages.keys())}; built-in stages are ${[...builtinStages.keys()].join(', ')}, or give a module path such as ./stages/my-stage.ts`,
    );
  }
  const file = resolve(pipelineDir, uses);
  if (!existsSync(file)) throw new StageResolutionError(`stage module ${uses} not found (looked for ${file})`);
  let mod: { default?: unknown };
  try {
    if (/\.[cm]?tsx?$/.test(file)) await ensureTypeScript();
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new StageResolutionError(`stage module ${uses} failed to load: ${reason}`);
  }
  if (!isStage(mod.default)) {
    throw new StageResolutionError(`stage module ${uses} has no stage as its default export; export default defineStage({ … })`);
  }
  return mod.default;
}

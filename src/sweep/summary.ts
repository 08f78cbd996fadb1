/**
 * A sweep's summary: `sweep.json` (every trial's values, status, final loss, accuracy),
 * a table for the terminal, and two charts — final loss per trial, and the loss curves
 * overlaid — each as SVG beside its Vega spec.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../engine/index.ts';
import type { Grid } from './grid.ts';
import type { TrialOutcome, TrialStatus } from './trials.ts';

export interface TrialSummary {
  id: string;
  values: Record<string, unknown>;
  status: TrialStatus;
  outDir: string;
  /** The last epoch's loss of the trial's `history.json`, when it has one. */
  finalLoss?: number;
  /** From the trial's `metrics.json`, when it has one. */
  accuracy?: number;
  error?: string;
}

export interface SweepSummary {
  pipeline: string;
  grid: Grid;
  shared: string[];
  trials: TrialSummary[];
}

/** The first `name` found in any stage folder of a trial, parsed. */
async function findArtifact<T>(outDir: string, name: string): Promise<T | undefined> {
  let stages: string[];
  try {
    stages = (await readdir(outDir, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
  } catch {
    return undefined;
  }
  for (const stage of stages) {
    try {
      return JSON.parse(await readFile(join(outDir, stage, name), 'utf8')) as T;
    } catch {
      // Not in this stage.
    }
  }
  return undefined;
}

/** Reads each trial's results back from its folder. */
export async function summarise(pipeline: string, grid: Grid, shared: string[], outcomes: TrialOutcome[]): Promise<{ summary: SweepSummary; losses: Map<string, number[]> }> {
  const losses = new Map<string, number[]>();
  const trials: TrialSummary[] = [];
  for (const { trial, outDir, status, error } of outcomes) {
    const row: TrialSummary = { id: trial.id, values: trial.values, status, outDir };
    if (status === 'completed') {
      const history = await findArtifact<{ loss: number[] }>(outDir, 'history.json');
      if (history?.loss.length) {
        losses.set(trial.id, history.loss);
        row.finalLoss = history.loss[history.loss.length - 1];
      }
      const metrics = await findArtifact<{ accuracy: number }>(outDir, 'metrics.json');
      if (metrics) row.accuracy = metrics.accuracy;
    }
    if (error) row.error = error;
    trials.push(row);
  }
  return { summary: { pipeline, grid, shared, trials }, losses };
}

/** The summary as a table: one row per trial, a column per swept param. */
export function summaryTable(summary: SweepSummary): string[][] {
  const keys = Object.keys(summary.grid);
  const header = ['trial', ...keys, 'status', 'final loss', 'accuracy'];
  const rows = summary.trials.map((t) => [
    t.id,
    ...keys.map((k) => JSON.stringify(t.values[k])),
    t.status,
    t.finalLoss === undefined ? '' : t.finalLoss.toPrecision(6),
    t.accuracy === undefined ? '' : String(t.accuracy),
  ]);
  return [header, ...rows];
}

/** Writes sweep.json and the two charts into `dir`. */
export async function writeSummary(dir: string, summary: SweepSummary, losses: Map<string, number[]>): Promise<void> {
  await writeAtomic(join(dir, 'sweep.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const name = (id: string): string => {
    const t = summary.trials.find((x) => x.id === id)!;
    return Object.entries(t.values).map(([k, v]) => `${k.split('.').pop()}=${JSON.stringify(v)}`).join(', ');
  };
  const finished = summary.trials.filter((t) => t.finalLoss !== undefined);
  if (finished.length === 0) return;
  // Vega only when there is something to draw: an interrupted sweep with no finished trial ends at once.
  const { finalLossSpec, lossCurvesSpec, renderSvg, specJson } = await import('../charts/index.ts');
  const charts = {
    'final-loss': finalLossSpec(finished.map((t) => ({ name: name(t.id), loss: t.finalLoss! })), { title: `Final loss per trial (${summary.pipeline})` }),
    'loss-curves': lossCurvesSpec([...losses].map(([id, l]) => ({ name: name(id), losses: l })), { title: `Loss curves per trial (${summary.pipeline})` }),
  };
  for (const [file, spec] of Object.entries(charts)) {
    await writeAtomic(join(dir, `${file}.vg.json`), specJson(spec));
    await writeAtomic(join(dir, `${file}.svg`), await renderSvg(spec));
  }
}

/**
 * A sweep's summary: `sweep.json` (the objective, the best trial, every trial's values,
 * status and declared metrics), a table for the terminal, and two charts — the objective
 * per trial, best first, and the loss curves overlaid — each as SVG beside its Vega spec.
 *
 * A trial's metrics are those its stages declare, as its run.json records them
 * (`evaluate.accuracy`, `train.loss`): two stages measuring the same thing are two columns,
 * never one taken for the other.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runMetrics, writeAtomic, type Plan, type RunManifest } from '../engine/index.ts';
import type { History } from '../data.ts';
import type { Grid } from './grid.ts';
import { bestTrial, type Objective } from './objective.ts';
import type { TrialOutcome, TrialStatus } from './trials.ts';

export interface TrialSummary {
  id: string;
  values: Record<string, unknown>;
  status: TrialStatus;
  outDir: string;
  durationMs?: number;
  /** Its declared metrics as its run.json records them, `stage.metric` → value, when it completed. */
  metrics?: Record<string, number>;
  error?: string;
}

export interface SweepSummary {
  /** The pipeline's name, and its file (absolute). */
  pipeline: string;
  file: string;
  grid: Grid;
  shared: string[];
  /** The metric that decides the best trial; absent when the pipeline declares none. */
  objective?: Objective;
  /** The id of the best completed trial by the objective. */
  best?: string;
  /** The stage whose loss curves the charts and the report draw (see lossStage). */
  curves?: string;
  /** When the sweep started (ISO 8601) and how long it took. */
  startedAt: string;
  durationMs: number;
  trials: TrialSummary[];
}

/** What a summary says about the sweep itself; summarise adds the trials and the best of them. */
export type SweepFacts = Omit<SweepSummary, 'trials' | 'best'>;

/** A sweep's summary file, in its folder. */
export const SWEEP_FILE = 'sweep.json';

/** The stage whose loss curves a sweep draws: the objective's stage when it keeps a history, else the first that does. */
export function lossStage(plan: Plan, objective: Objective | undefined): string | undefined {
  const keepsHistory = plan.nodes.filter((n) => Object.values(n.spec.stage.outputs).some((port) => port.kind === 'history')).map((n) => n.spec.id);
  const own = objective?.metric.slice(0, objective.metric.indexOf('.'));
  return own !== undefined && keepsHistory.includes(own) ? own : keepsHistory[0];
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Each trial's status and declared metrics (from its run.json), and the best trial by the objective. */
export async function summarise(facts: SweepFacts, outcomes: TrialOutcome[]): Promise<SweepSummary> {
  const trials: TrialSummary[] = [];
  for (const { trial, outDir, status, error, durationMs } of outcomes) {
    const row: TrialSummary = { id: trial.id, values: trial.values, status, outDir, ...(durationMs !== undefined ? { durationMs: Math.round(durationMs) } : {}) };
    const manifest = status === 'completed' ? await readJson<RunManifest>(join(outDir, 'run.json')) : undefined;
    if (manifest) row.metrics = runMetrics(manifest);
    if (error) row.error = error;
    trials.push(row);
  }
  const best = bestTrial(trials, facts.objective);
  return { ...facts, ...(best ? { best } : {}), trials };
}

/** The loss history of each completed trial's `curves` stage, read back from its folder. */
export async function trialLosses(summary: SweepSummary): Promise<Map<string, History>> {
  const losses = new Map<string, History>();
  if (summary.curves === undefined) return losses;
  for (const t of summary.trials.filter((x) => x.status === 'completed')) {
    const history = await readJson<History>(join(t.outDir, summary.curves, 'history.json'));
    if (Array.isArray(history?.loss) && history.loss.length > 0) losses.set(t.id, history);
  }
  return losses;
}

/** Every metric the trials report, the objective first. */
const metricsOf = (summary: SweepSummary): string[] => {
  const all = [...new Set(summary.trials.flatMap((t) => Object.keys(t.metrics ?? {})))];
  const first = summary.objective?.metric;
  return first !== undefined && all.includes(first) ? [first, ...all.filter((m) => m !== first)] : all;
};

/** The summary as a table: one row per trial (`*` marks the best), a column per swept param and per metric. */
export function summaryTable(summary: SweepSummary): string[][] {
  const keys = Object.keys(summary.grid);
  const metrics = metricsOf(summary);
  const header = ['', 'trial', ...keys, 'status', ...metrics];
  const rows = summary.trials.map((t) => [
    t.id === summary.best ? '*' : '',
    t.id,
    ...keys.map((k) => JSON.stringify(t.values[k])),
    t.status,
    ...metrics.map((m) => (t.metrics?.[m] === undefined ? '' : String(Number(t.metrics[m].toPrecision(6))))),
  ]);
  return [header, ...rows];
}

/** The best trial in words: `trial-003 (train.optimizer.lr=0.1): evaluate.accuracy 0.97, maximized`. */
export function describeBest(summary: SweepSummary): string | undefined {
  const best = summary.trials.find((t) => t.id === summary.best);
  if (!best || !summary.objective) return undefined;
  const { metric, direction } = summary.objective;
  const values = Object.entries(best.values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return `${best.id} (${values}): ${metric} ${Number(best.metrics![metric].toPrecision(6))}, ${direction}d`;
}

/** Writes sweep.json and the charts there is something to draw for into `dir`; returns the charts' file names. */
export async function writeSummary(dir: string, summary: SweepSummary, losses: ReadonlyMap<string, History>): Promise<string[]> {
  await writeAtomic(join(dir, SWEEP_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  const name = (id: string): string => {
    const t = summary.trials.find((x) => x.id === id)!;
    return Object.entries(t.values).map(([k, v]) => `${k.split('.').pop()}=${JSON.stringify(v)}`).join(', ');
  };
  const { objective, best } = summary;
  const scored = objective ? summary.trials.filter((t) => t.metrics?.[objective.metric] !== undefined) : [];
  if (scored.length === 0 && losses.size === 0) return [];
  // Vega only when there is something to draw: an interrupted sweep with no finished trial ends at once.
  const { objectiveSpec, lossCurvesSpec, renderSvg, specJson } = await import('../charts/index.ts');
  const charts = {
    ...(objective && scored.length > 0
      ? {
          objective: objectiveSpec(
            scored.map((t) => ({ name: name(t.id), value: t.metrics![objective.metric] })),
            { title: `${objective.metric} per trial (${summary.pipeline})`, metric: objective.metric, direction: objective.direction },
          ),
        }
      : {}),
    ...(losses.size > 0
      ? {
          'loss-curves': lossCurvesSpec(
            [...losses].map(([id, h]) => ({ name: name(id), losses: h.loss, ...(h.val_loss ? { validation: h.val_loss } : {}) })),
            {
              title: `Loss curves per trial (${summary.pipeline})`,
              ...(best && objective && losses.has(best) ? { highlight: name(best), subtitle: `best by ${objective.metric}` } : {}),
            },
          ),
        }
      : {}),
  };
  for (const [file, spec] of Object.entries(charts)) {
    await writeAtomic(join(dir, `${file}.vg.json`), specJson(spec));
    await writeAtomic(join(dir, `${file}.svg`), await renderSvg(spec));
  }
  return Object.keys(charts).map((file) => `${file}.svg`);
}

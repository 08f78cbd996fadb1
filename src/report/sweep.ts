/**
 * The report of a sweep: the best trial, params against the objective (parallel coordinates),
 * every trial's loss curves overlaid, and the trials table, best highlighted.
 */
import { lossCurvesSpec, type LossSeries } from '../charts/loss.ts';
import { parallelCoordinatesSpec, type ParallelAxis } from '../charts/parallel.ts';
import { badge, durationCell, formatDuration, formatNumber, formatTime, formatValue, html, numberCell, table, type Html } from './html.ts';
import { page } from './page.ts';
import { Figures, arrow, header } from './sections.ts';
import type { SweepRecord, TrialRecord } from './types.ts';

const finalLoss = (t: TrialRecord): number | undefined => {
  const finite = (t.losses?.train ?? []).filter(Number.isFinite);
  return finite.length ? finite[finite.length - 1] : undefined;
};

/** The metrics the trials report, the objective first. */
function metricNames(sweep: SweepRecord): string[] {
  const all = [...new Set(sweep.trials.flatMap((t) => Object.keys(t.metrics)))].sort();
  const objective = sweep.objective?.metric;
  return objective ? [objective, ...all.filter((m) => m !== objective)] : all;
}

/** Each trial's name, made unique with its id where two trials share one. */
function seriesNames(trials: TrialRecord[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const t of trials) count.set(t.name, (count.get(t.name) ?? 0) + 1);
  return new Map(trials.map((t) => [t.id, count.get(t.name)! > 1 ? `${t.id} ${t.name}` : t.name]));
}

/** Params against the objective; without one, against every metric all finished trials report, or else the final loss. */
function parallelChart(sweep: SweepRecord, names: Map<string, string>, figures: Figures): Html | undefined {
  const params: ParallelAxis[] = Object.entries(sweep.grid).map(([name, values]) => ({ kind: 'param', name, values }));
  const finished = sweep.trials.filter((t) => t.status === 'completed');
  const shared = metricNames(sweep).filter((m) => finished.length > 0 && finished.every((t) => m in t.metrics));
  const lossAxis = 'final training loss';
  const metrics: ParallelAxis[] = sweep.objective
    ? [{ kind: 'metric', name: sweep.objective.metric, direction: sweep.objective.direction }]
    : shared.length
      ? shared.map((name) => ({ kind: 'metric', name }))
      : finished.some((t) => finalLoss(t) !== undefined)
        ? [{ kind: 'metric', name: lossAxis, direction: 'minimize' }]
        : [];
  if (params.length === 0 || sweep.trials.length === 0) return undefined;
  const lines = sweep.trials.map((t) => ({
    name: names.get(t.id)!,
    values: { ...t.values, ...t.metrics, [lossAxis]: finalLoss(t) },
  }));
  const against = metrics.map((m) => m.name).join(', ');
  const spec = parallelCoordinatesSpec([...params, ...metrics], lines, {
    title: against ? `Swept params against ${against}` : 'Swept params',
    ...(sweep.best !== undefined && names.has(sweep.best) ? { highlight: names.get(sweep.best)! } : {}),
  });
  return figures.add(spec, 'one line per trial; hover a line for its values');
}

function lossChart(sweep: SweepRecord, names: Map<string, string>, figures: Figures): Html | undefined {
  const series: LossSeries[] = sweep.trials.flatMap((t) =>
    t.losses?.train.length ? [{ name: names.get(t.id)!, losses: t.losses.train, ...(t.losses.validation ? { validation: t.losses.validation } : {}) }] : [],
  );
  if (series.length === 0) return undefined;
  const best = sweep.best === undefined ? undefined : names.get(sweep.best);
  const validation = series.some((s) => s.validation);
  const spec = lossCurvesSpec(series, { title: validation ? 'Training and validation loss per trial' : 'Training loss per trial', ...(best && series.some((s) => s.name === best) ? { highlight: best } : {}) });
  return figures.add(spec, 'every trial');
}

function trialsTable(sweep: SweepRecord, metrics: string[]): Html {
  const keys = Object.keys(sweep.grid);
  const directions = sweep.objective ? { [sweep.objective.metric]: sweep.objective.direction } : {};
  const headings = ['trial', ...keys, 'status', ...metrics.map((m) => `${m} ${arrow(directions[m])}`.trim()), 'final loss', 'time', 'error'];
  const rows = sweep.trials.map((t) => {
    const best = t.id === sweep.best;
    return html`<tr data-trial="${t.id}"${best ? html` class="best"` : ''}><td>${best ? '★ ' : ''}<code>${t.id}</code></td>${keys.map((k) => html`<td><code>${k in t.values ? formatValue(t.values[k]) : ''}</code></td>`)}<td>${badge(t.status)}</td>${metrics.map((m) => numberCell(t.metrics[m]))}${numberCell(finalLoss(t))}${durationCell(t.durationMs)}<td>${t.error ?? ''}</td></tr>`;
  });
  return table(headings, rows, { sortable: true, className: 'trials' });
}

/** The self-contained `report.html` of `sweep`. */
export function renderSweepReport(sweep: SweepRecord): string {
  const figures = new Figures();
  const names = seriesNames(sweep.trials);
  const metrics = metricNames(sweep);
  const statuses = [...new Set(sweep.trials.map((t) => t.status))].map((s) => `${sweep.trials.filter((t) => t.status === s).length} ${s}`);
  const best = sweep.trials.find((t) => t.id === sweep.best);
  const objective = sweep.objective;
  const charts = [parallelChart(sweep, names, figures), lossChart(sweep, names, figures)].filter((c) => c !== undefined);
  const facts = [
    html`<b>pipeline</b> <code>${sweep.pipeline.file}</code>`,
    html`<b>trials</b> ${sweep.trials.length} (${statuses.join(', ')})`,
    objective ? html`<b>objective</b> <code>${objective.metric}</code> ${arrow(objective.direction)} ${objective.direction}` : html`<b>objective</b> none given`,
    sweep.startedAt ? html`<b>started</b> ${formatTime(sweep.startedAt)}` : undefined,
    sweep.durationMs !== undefined ? html`<b>took</b> ${formatDuration(sweep.durationMs)}` : undefined,
  ];
  const bestText =
    best && objective && best.metrics[objective.metric] !== undefined ? html` with <code>${objective.metric}</code> = ${formatNumber(best.metrics[objective.metric])}` : '';
  const body = html`${header('rxlab sweep report', `${sweep.pipeline.name} sweep`, [], facts)}
<main>
${best ? html`<section id="best"><h2>Best trial</h2><p>★ <code>${best.id}</code> <b>${best.name}</b>${bestText}</p></section>` : ''}
${charts.length ? html`<section id="charts"><h2>Charts</h2><div class="charts">${charts}</div></section>` : ''}
<section id="trials"><h2>Trials</h2><p class="hint">Click a heading to sort.</p>${trialsTable(sweep, metrics)}</section>
<section id="grid"><h2>Grid</h2>${table(['param', 'values'], Object.entries(sweep.grid).map(([k, v]) => html`<tr><td><code>${k}</code></td><td><code>${v.map(formatValue).join(', ')}</code></td></tr>`))}</section>
</main>`;
  return page({ title: `${sweep.pipeline.name} sweep · rxlab report`, body, charts: figures.specs, client: 'report' });
}

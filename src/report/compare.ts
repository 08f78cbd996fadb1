/**
 * Runs side by side: how their status, metrics (with the change from the first run) and params
 * differ, their loss curves overlaid, and each chart they recorded next to its counterparts.
 */
import { lossCurvesSpec } from '../charts/loss.ts';
import { badge, durationCell, flatten, formatNumber, formatTime, formatValue, html, numberCell, table, type Html } from './html.ts';
import { page } from './page.ts';
import { Figures, arrow, gitText, header } from './sections.ts';
import type { MetricDirection, RunRecord } from './types.ts';

/** Each run's name, with `#2`, `#3`… where runs share a name (the same run at two times). */
function labels(runs: RunRecord[]): string[] {
  return runs.map((r, i) => {
    const same = runs.filter((o) => o.name === r.name).length;
    return same > 1 ? `${r.name} #${runs.slice(0, i + 1).filter((o) => o.name === r.name).length}` : r.name;
  });
}

/** `+0.012` against the first run, coloured by whether it is better. */
function delta(value: number | undefined, base: number | undefined, direction: MetricDirection | undefined): Html {
  if (value === undefined || base === undefined || value === base) return html``;
  const d = value - base;
  const better = direction === undefined ? '' : (d > 0) === (direction === 'maximize') ? 'better' : 'worse';
  return html` <span class="${better}">(${d > 0 ? '+' : ''}${formatNumber(d)})</span>`;
}

function summary(runs: RunRecord[], names: string[]): Html {
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const direction = (m: string): MetricDirection | undefined => runs.find((r) => r.metricDirections[m])?.metricDirections[m];
  const row = (heading: Html | string, cells: Html[]): Html => html`<tr><th>${heading}</th>${cells}</tr>`;
  const rows = [
    row('pipeline', runs.map((r) => html`<td><code>${r.pipeline.name}</code></td>`)),
    row('status', runs.map((r) => html`<td>${badge(r.status)}</td>`)),
    row('started', runs.map((r) => html`<td>${formatTime(r.startedAt)}</td>`)),
    row('took', runs.map((r) => durationCell(r.durationMs))),
    row('commit', runs.map((r) => html`<td><code>${gitText(r.git) ?? ''}</code></td>`)),
    row('overrides', runs.map((r) => html`<td><code>${r.overrides.join(' ')}</code></td>`)),
    row('check', runs.map((r) => html`<td>${r.check ? badge(r.check.ok ? 'ok' : 'drift') : ''}</td>`)),
    ...metrics.map((m) =>
      row(html`<code>${m}</code> ${arrow(direction(m))}`, runs.map((r) => numberCell(r.metrics[m], delta(r.metrics[m], runs[0].metrics[m], direction(m))))),
    ),
  ];
  return html`<section id="summary"><h2>Runs</h2>${metrics.length > 0 && runs.length > 1 ? html`<p class="hint">In brackets: the change from the first run.</p>` : ''}${table(['', ...names], rows, { className: 'compare' })}</section>`;
}

function paramsTables(runs: RunRecord[], names: string[]): Html {
  const values = runs.map((r) => new Map<string, string>(Object.entries(r.params).flatMap(([stage, p]) => flatten(p).map(([path, v]) => [`${stage}.${path}`, formatValue(v)]))));
  const keys = [...new Set(values.flatMap((v) => [...v.keys()]))];
  const rows = (which: string[]): Html[] => which.map((k) => html`<tr><th><code>${k}</code></th>${values.map((v) => html`<td><code>${v.get(k) ?? '—'}</code></td>`)}</tr>`);
  const differing = keys.filter((k) => new Set(values.map((v) => v.get(k))).size > 1);
  return html`<section id="params"><h2>Params that differ</h2>${differing.length ? table(['', ...names], rows(differing), { className: 'compare' }) : html`<p>None: every run has the same params.</p>`}
<details><summary>All params</summary>${table(['', ...names], rows(keys), { className: 'compare' })}</details></section>`;
}

/** Per training stage, every run's loss curve overlaid; then each recorded chart beside its counterparts in the other runs. */
function charts(runs: RunRecord[], names: string[], figures: Figures): Html {
  const trainers = [...new Set(runs.flatMap((r) => Object.keys(r.losses ?? {})))];
  const overlays = trainers.map((stage) => {
    const series = runs.flatMap((r, i) => {
      const h = r.losses?.[stage];
      return h?.train.length ? [{ name: names[i], losses: h.train, ...(h.validation ? { validation: h.validation } : {}) }] : [];
    });
    return figures.add(lossCurvesSpec(series, { title: `Loss of ${stage}` }), `${stage}: every run`);
  });
  const keys = [...new Map(runs.flatMap((r) => r.charts.map((c) => [`${c.stage}\u0000${c.title}`, c] as const))).values()];
  const rows = keys.map(
    (key) =>
      html`<h3>${key.stage}: ${key.title}</h3><div class="charts row">${runs.map((r, i) => {
        const chart = r.charts.find((c) => c.stage === key.stage && c.title === key.title);
        return chart ? figures.add(chart.spec, names[i]) : html`<figure class="chart empty">${names[i]}: no such chart</figure>`;
      })}</div>`,
  );
  if (overlays.length === 0 && rows.length === 0) return html``;
  return html`<section id="charts"><h2>Charts</h2>${overlays.length ? html`<div class="charts">${overlays}</div>` : ''}${rows}</section>`;
}

/** The self-contained `report.html` comparing `runs` (at least one), the first being the baseline. */
export function renderCompareReport(runs: RunRecord[]): string {
  if (runs.length === 0) throw new RangeError('a comparison needs at least one run');
  const figures = new Figures();
  const names = labels(runs);
  const pipelines = [...new Set(runs.map((r) => r.pipeline.name))];
  const title = `${pipelines.join(', ')}: ${runs.length} runs`;
  const body = html`${header('rxlab comparison', title, [], [html`<b>baseline</b> ${names[0]}`])}
<main>
${summary(runs, names)}
${charts(runs, names, figures)}
${paramsTables(runs, names)}
</main>`;
  return page({ title: `${title} · rxlab report`, body, charts: figures.specs, client: 'report' });
}

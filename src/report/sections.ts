/** Parts that the run, sweep and compare reports share: headers, tables of a run's record, and the charts list. */
import type { Spec } from 'vega';
import { interactiveLossSpec, lossChartRows } from '../charts/interactive.ts';
import { lossCurveSpec } from '../charts/loss.ts';
import { tidy } from '../charts/numbers.ts';
import { badge, durationCell, flatten, formatDuration, formatTime, formatValue, html, numberCell, table, type Html } from './html.ts';
import { figure } from './page.ts';
import type { CheckRecord, LossHistory, MetricDirection, RunRecord } from './types.ts';

/** How to use a loss chart, under it. */
export const LOSS_HINT = 'wheel: zoom · drag: pan · double-click: reset';

/** The charts of a page, in the order they appear: `add` gives the figure that shows one. */
export class Figures {
  readonly specs: Spec[] = [];

  /** A figure for `spec`; a loss chart made by the chart builders comes with zoom, pan and a log-scale switch. */
  add(spec: Spec, caption: string | Html): Html {
    const interactive = interactiveLossSpec(spec);
    this.specs.push(interactive ?? spec);
    return figure(this.specs.length - 1, interactive ? html`${caption} · ${LOSS_HINT}` : caption);
  }
}

/** The page's header: what kind of report, a title with badges, and a line of facts. */
export function header(kind: string, title: string, badges: Html[], facts: (Html | undefined)[]): Html {
  return html`<header><div class="kind">${kind}</div><h1>${title} ${badges}</h1><div class="meta">${facts.filter((f) => f !== undefined).map((f) => html`<span>${f}</span>`)}</div></header>`;
}

/** `abc123def456 (dirty)`. */
export function gitText(git: RunRecord['git']): string | undefined {
  return git ? `${git.commit.slice(0, 12)}${git.dirty ? ' (dirty)' : ''}` : undefined;
}

/** The facts of a run for a header. */
export function runFacts(run: RunRecord): (Html | undefined)[] {
  const git = gitText(run.git);
  return [
    html`<b>pipeline</b> <code>${run.pipeline.file}</code>`,
    html`<b>started</b> ${formatTime(run.startedAt)}`,
    html`<b>took</b> ${formatDuration(run.durationMs)}`,
    git ? html`<b>commit</b> <code>${git}</code>` : undefined,
    run.overrides.length ? html`<b>overrides</b> <code>${run.overrides.join(' ')}</code>` : undefined,
  ];
}

/** ↑ for a metric to maximise, ↓ to minimise. */
export const arrow = (direction: MetricDirection | undefined): string => (direction === 'maximize' ? '↑' : direction === 'minimize' ? '↓' : '');

export function metricsSection(run: RunRecord): Html {
  const names = Object.keys(run.metrics).sort();
  if (names.length === 0) return html``;
  const rows = names.map((m) => html`<tr><td><code>${m}</code></td>${numberCell(run.metrics[m])}<td>${arrow(run.metricDirections[m])} ${run.metricDirections[m] ?? ''}</td></tr>`);
  return html`<section id="metrics"><h2>Metrics</h2>${table(['metric', 'value', 'better'], rows)}</section>`;
}

export function stagesSection(run: RunRecord): Html {
  const rows = Object.entries(run.stages).map(
    ([id, s]) => html`<tr><td><code>${id}</code></td><td>${s.uses}</td><td>${badge(s.status)}</td>${durationCell(s.durationMs)}<td>${s.reason ?? ''}</td></tr>`,
  );
  return html`<section id="stages"><h2>Stages</h2>${table(['stage', 'uses', 'status', 'time', 'why'], rows)}</section>`;
}

export function checkSection(check: CheckRecord | undefined): Html {
  if (!check) return html``;
  const counts = ['same', 'changed', 'missing', 'new'].map((r) => [r, check.rows.filter((row) => row.result === r).length] as const).filter(([, n]) => n > 0);
  const rows = check.rows.map((r) => html`<tr><td><code>${r.stage}</code></td><td><code>${r.artifact}</code></td><td>${badge(r.result)}</td><td>${r.detail}</td></tr>`);
  return html`<section id="check"><h2>Check against the lock</h2><p>${badge(check.ok ? 'ok' : 'drift')} ${counts.map(([r, n]) => `${n} ${r}`).join(', ')}</p>${table(['stage', 'artifact', 'result', 'detail'], rows)}</section>`;
}

/** `stage.path` of each override (`train.optimizer.lr=0.1` → `train.optimizer.lr`). */
export function overriddenKeys(overrides: string[]): Set<string> {
  return new Set(overrides.map((o) => o.split('=')[0].trim()));
}

export function paramsSection(run: RunRecord): Html {
  const overridden = overriddenKeys(run.overrides);
  const rows = Object.entries(run.params).flatMap(([stage, params]) =>
    flatten(params).map(([path, value]) => {
      const key = `${stage}.${path}`;
      return html`<tr${overridden.has(key) ? html` class="overridden"` : ''}><td><code>${stage}</code></td><td><code>${path}</code></td><td><code>${formatValue(value)}</code></td></tr>`;
    }),
  );
  return html`<section id="params"><h2>Params</h2>${overridden.size ? html`<p class="hint">Highlighted: set on the command line.</p>` : ''}${table(['stage', 'param', 'value'], rows)}</section>`;
}

/** The positive training losses by epoch, rounded as a chart keeps them: what two drawings of one curve share. */
function curveKey(points: { epoch: number; loss: number }[]): string {
  return points.filter((p) => p.loss > 0).map((p) => `${p.epoch}:${p.loss}`).join(' ');
}

/**
 * The run's charts: a loss chart per training stage (unless a recorded chart already draws
 * that very curve), then every chart its stages recorded.
 */
export function runCharts(run: RunRecord, figures: Figures): Html[] {
  const recorded = run.charts.flatMap((c) => {
    const rows = lossChartRows(c.spec);
    return rows ? [curveKey(rows.filter((r) => r.series === 'training'))] : [];
  });
  const drawn = (history: LossHistory): boolean =>
    recorded.includes(curveKey(history.train.flatMap((loss, epoch) => (Number.isFinite(loss) ? [{ epoch, loss: tidy(loss) }] : []))));
  const losses = Object.entries(run.losses ?? {})
    .filter(([, history]) => !drawn(history))
    .map(([stage, { train, validation }]) =>
      figures.add(lossCurveSpec(train, { title: `Loss of ${stage}`, name: run.name, ...(validation ? { validation } : {}) }), `${stage}: loss at every epoch`),
    );
  return [...losses, ...run.charts.map((c) => figures.add(c.spec, html`${c.stage}: ${c.title}`))];
}

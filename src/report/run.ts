/** The report of one run: status, metrics, every chart (interactive), stages, the check against the lock, params. */
import { badge, html } from './html.ts';
import { page } from './page.ts';
import { Figures, checkSection, header, metricsSection, paramsSection, runCharts, runFacts, stagesSection } from './sections.ts';
import type { RunRecord } from './types.ts';

/** The self-contained `report.html` of `run`. */
export function renderRunReport(run: RunRecord): string {
  const figures = new Figures();
  const charts = runCharts(run, figures);
  const body = html`${header('rxlab run report', `${run.pipeline.name} · ${run.name}`, [badge(run.status), ...(run.check ? [badge(run.check.ok ? 'ok' : 'drift')] : [])], runFacts(run))}
<main>
${run.error ? html`<section id="error"><h2>Error</h2><div class="error">${run.error}</div></section>` : ''}
${metricsSection(run)}
${charts.length ? html`<section id="charts"><h2>Charts</h2><div class="charts">${charts}</div></section>` : ''}
${stagesSection(run)}
${checkSection(run.check)}
${paramsSection(run)}
</main>`;
  return page({ title: `${run.pipeline.name} · ${run.name} · rxlab report`, body, charts: figures.specs, client: 'report' });
}

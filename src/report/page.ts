/**
 * The document every report and the live view share: styles, a content security policy that
 * lets the page make no request but (for the live view) to its own server, the charts' specs
 * as JSON, and the scripts inlined — Vega's own browser build, read from its package, and the
 * page code (client-code.ts). A report is one file that works from the file system, offline.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Spec } from 'vega';
import { LIVE_CLIENT, REPORT_CLIENT } from './client-code.ts';
import { html, jsonForScript, raw, scriptText, type Html } from './html.ts';

let vega: string | undefined;

/** Vega's minified browser build (it defines `vega`), from the installed package. */
function vegaScript(): string {
  vega ??= readFileSync(join(dirname(fileURLToPath(import.meta.resolve('vega'))), 'vega.min.js'), 'utf8');
  return vega;
}

const STYLE = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0969da; --good: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
header { padding: 20px 28px 14px; border-bottom: 1px solid var(--line); background: var(--soft); }
header .kind { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .06em; }
h1 { margin: 2px 0 6px; font-size: 22px; }
h1 .badge { vertical-align: 3px; margin-left: 6px; }
h2 { font-size: 16px; margin: 26px 0 10px; }
main { padding: 4px 28px 40px; }
.meta { color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 18px; }
.meta b { color: var(--fg); font-weight: 600; }
code, .mono { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #eaeef2; color: var(--fg); }
.status-completed, .status-done, .status-same, .status-ok { background: #dafbe1; color: var(--good); }
.status-failed, .status-changed, .status-missing, .status-drift { background: #ffebe9; color: var(--bad); }
.status-interrupted, .status-new, .status-not-run, .status-stopped { background: #fff8c5; color: var(--warn); }
.status-cached { background: #ddf4ff; color: var(--accent); }
.status-running { background: #ddf4ff; color: var(--accent); }
.error { border: 1px solid #ffcecb; background: #ffebe9; color: var(--bad); padding: 10px 14px; border-radius: 6px; white-space: pre-wrap; font: 12.5px ui-monospace, Menlo, Consolas, monospace; }
table { border-collapse: collapse; margin: 4px 0 8px; }
th, td { padding: 4px 12px 4px 0; text-align: left; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
th.num { text-align: right; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort=ascending]::after { content: " ▲"; }
table.sortable th[aria-sort=descending]::after { content: " ▼"; }
tr.best td { background: #fff8c5; font-weight: 600; }
tr.overridden td { background: #ddf4ff; }
.better { color: var(--good); }
.worse { color: var(--bad); }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
.charts.row { flex-wrap: nowrap; overflow-x: auto; }
figure.chart { margin: 0; width: fit-content; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
figure.chart figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
figure.chart .chart-error { color: var(--bad); }
figure.chart.empty { display: flex; align-items: center; justify-content: center; min-width: 200px; color: var(--muted); }
.vega-bindings { font-size: 12px; color: var(--muted); margin-top: 2px; }
.hint { color: var(--muted); font-size: 12px; }
details > summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
.stages .bar { display: inline-block; width: 160px; height: 8px; background: #eaeef2; border-radius: 4px; overflow: hidden; vertical-align: middle; }
.stages .bar > span { display: block; height: 100%; background: var(--accent); width: 0; }
.log { max-height: 220px; overflow: auto; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; white-space: pre-wrap; font: 12px ui-monospace, Menlo, Consolas, monospace; }
`;

export interface PageOptions {
  /** The document's title. */
  title: string;
  body: Html;
  /** The specs of the page's charts; `<figure data-chart="i">` shows `charts[i]`. */
  charts: Spec[];
  /** Which page code runs: the report's (charts, sortable tables) or the live view's. */
  client: 'report' | 'live';
  /** Anything else the page code reads, as JSON. */
  data?: unknown;
}

/** A complete HTML document. */
export function page(opts: PageOptions): string {
  // The live view talks to the server that sent it; a report, opened from a file, to nothing.
  const connect = opts.client === 'live' ? "'self'" : "'none'";
  // Vega compiles its expressions with `Function`, hence 'unsafe-eval'; its images are data: URLs.
  const csp = `default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; connect-src ${connect}`;
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${raw(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title}</title>
<link rel="icon" href="data:,">
<style>${raw(STYLE)}</style>
</head>
<body>
${opts.body}
<script type="application/json" id="rxlab-charts">${raw(jsonForScript(opts.charts))}</script>
<script type="application/json" id="rxlab-data">${raw(jsonForScript(opts.data ?? null))}</script>
<script>${raw(scriptText(vegaScript()))}</script>
<script>${raw(scriptText(opts.client === 'live' ? LIVE_CLIENT : REPORT_CLIENT))}</script>
</body>
</html>
`;
  return doc.text;
}

/** A figure that the page fills with chart `index`, with a caption under it. */
export function figure(index: number, caption: string | Html): Html {
  return html`<figure class="chart" data-chart="${index}"><div class="view"></div><figcaption>${caption}</figcaption></figure>`;
}

/**
 * Page code of the live view (runs in the browser, bundled into client-code.ts): follows the
 * server's event stream (server-sent events; on connecting, the server replays everything so
 * far) and shows the stages, the trials of a sweep, and the loss curves as they grow. The
 * events are handled into plain state at once; the page catches up with it a few times a second.
 */
import { interactiveLossSpec } from '../../charts/interactive.ts';
import { LOG_SPAN, lossCurvesSpec, type LossSeries } from '../../charts/loss.ts';
import { tidy } from '../../charts/numbers.ts';
import type { LiveEvent } from '../live-events.ts';
import { Chart, pageData } from './chart.ts';

type StageState = 'waiting' | 'running' | 'cached' | 'done' | 'failed' | 'stopped';

interface Progress {
  current?: number;
  total?: number;
  loss?: number;
}

interface StageRow extends Progress {
  id: string;
  uses: string;
  state: StageState;
  durationMs?: number;
}

interface TrialRow extends Progress {
  id: string;
  name: string;
  values: Record<string, unknown>;
  status: string;
  stage?: string;
  metrics?: Record<string, number>;
  error?: string;
  durationMs?: number;
}

interface Curve {
  name: string;
  train: number[];
  validation: number[];
}

const { title } = pageData<{ title: string }>('rxlab-data');
const $ = (id: string): HTMLElement => document.getElementById(id)!;

const stages = new Map<string, StageRow>();
/** The run's metrics by `stage.metric` (a trial's go to its row). */
const metrics = new Map<string, number>();
const trials = new Map<string, TrialRow>();
/** Loss curves by trial and stage; named after the trial in a sweep, after the stage in a run. */
const curves = new Map<string, Curve>();
let grid: string[] = [];
let objective: string | undefined;
let best: string | undefined;
let status = 'connecting…';
let facts = '';
/** Points not yet on the chart; when a curve (or a validation series) is new, the chart is made anew instead. */
let fresh: { run: string; series: string; epoch: number; loss: number }[] = [];
let remake = false;
let chart: Chart | undefined;
/** The smallest and largest positive loss so far: when they come to span decades, the chart is made anew, on a log axis. */
let lowest = Infinity;
let highest = 0;
/** Whether the chart was made with a log axis; once the user flips its switch, theirs is the last word. */
let drawnLog = false;
let userChose = false;
let scheduled = false;
/** The run (or sweep) has finished or failed. */
let ended = false;

function stage(id: string): StageRow {
  let row = stages.get(id);
  if (!row) stages.set(id, (row = { id, uses: '', state: 'waiting' }));
  return row;
}

function trial(id: string): TrialRow {
  let row = trials.get(id);
  if (!row) trials.set(id, (row = { id, name: id, values: {}, status: 'waiting' }));
  return row;
}

function addPoint(key: string, name: string, series: 'training' | 'validation', epoch: number, loss: number): void {
  let curve = curves.get(key);
  if (!curve) {
    const taken = new Set([...curves.values()].map((c) => c.name));
    curves.set(key, (curve = { name: taken.has(name) ? `${name} · ${key.split('\u0000')[1]}` : name, train: [], validation: [] }));
    remake = true;
  }
  const losses = series === 'training' ? curve.train : curve.validation;
  if (series === 'validation' && losses.length === 0) remake = true;
  losses[epoch] = loss;
  if (!Number.isFinite(loss)) return;
  fresh.push({ run: curve.name, series, epoch, loss: tidy(loss) });
  if (loss > 0) {
    lowest = Math.min(lowest, loss);
    highest = Math.max(highest, loss);
  }
  if (!userChose && !drawnLog && highest / lowest >= LOG_SPAN) remake = true;
}

function handle(event: LiveEvent): void {
  const inTrial = 'trial' in event && typeof event.trial === 'string' ? trial(event.trial) : undefined;
  switch (event.type) {
    case 'run-start':
      for (const s of event.stages) stage(s.id).uses = s.uses;
      status = 'running';
      break;
    case 'sweep-start':
      grid = Object.keys(event.grid);
      objective = event.objective?.metric;
      for (const t of event.trials) Object.assign(trial(t.id), { name: t.name, values: t.values });
      status = 'running';
      break;
    case 'trial':
      Object.assign(trial(event.id), {
        status: event.status,
        ...(event.name ? { name: event.name } : {}),
        ...(event.values ? { values: event.values } : {}),
        ...(event.metrics ? { metrics: event.metrics } : {}),
        ...(event.error ? { error: event.error } : {}),
        ...(event.durationMs !== undefined ? { durationMs: event.durationMs } : {}),
      });
      break;
    case 'environment':
      facts = Object.entries(event.facts).map(([k, v]) => `${k} ${v}`).join(' · ');
      break;
    case 'stage-start':
      if (inTrial) Object.assign(inTrial, { stage: event.stage, current: undefined, total: undefined });
      else stage(event.stage).state = 'running';
      status = 'running';
      break;
    case 'stage-cached':
      if (!inTrial) stage(event.stage).state = 'cached';
      break;
    case 'progress': {
      const row: Progress = inTrial ?? stage(event.stage);
      Object.assign(row, { current: event.current, total: event.total });
      const key = `${inTrial?.id ?? ''}\u0000${event.stage}`;
      const name = inTrial?.name ?? event.stage;
      const { loss, validationLoss } = event.state ?? {};
      if (typeof loss === 'number') {
        row.loss = loss;
        addPoint(key, name, 'training', event.current - 1, loss);
      }
      if (typeof validationLoss === 'number') addPoint(key, name, 'validation', event.current - 1, validationLoss);
      break;
    }
    case 'stage-done':
      if (!inTrial) {
        const row = stage(event.stage);
        if (row.state !== 'cached') row.state = 'done';
        row.durationMs = event.durationMs;
      }
      break;
    case 'metric':
      if (inTrial) inTrial.metrics = { ...inTrial.metrics, [`${event.stage}.${event.name}`]: event.value };
      else metrics.set(`${event.stage}.${event.name}`, event.value);
      break;
    case 'message':
      $('log').append(`${inTrial ? `${inTrial.id} ` : ''}${event.stage}: ${event.text}\n`);
      break;
    case 'finished':
    case 'failed':
      if (event.type === 'failed' && event.stage) stage(event.stage).state = 'failed';
      for (const row of stages.values()) if (row.state === 'running') row.state = 'stopped';
      best = event.type === 'finished' ? event.best : undefined;
      status = event.type === 'finished' ? `${event.status}${event.durationMs === undefined ? '' : ` in ${(event.durationMs / 1000).toFixed(2)} s`}` : `failed: ${event.error}`;
      // The server ends the stream now; the error that follows is no lost connection.
      ended = true;
      // The last look decides the axis (log or not) and marks the best trial.
      remake = true;
      break;
  }
  schedule();
}

/**
 * The page catches up at most every SHOW_EVERY_MS: training emits an event per epoch, often
 * thousands a second, and redrawing a chart of every epoch so far at each frame would take
 * the CPU that training (on the same machine) needs.
 */
const SHOW_EVERY_MS = 250;
let shown = 0;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(
    () =>
      requestAnimationFrame(() => {
        scheduled = false;
        shown = performance.now();
        show();
      }),
    Math.max(0, shown + SHOW_EVERY_MS - performance.now()),
  );
}

const number = (x: number | undefined): string => (x === undefined ? '' : String(Number(x.toPrecision(6))));
const seconds = (ms: number | undefined): string => (ms === undefined ? '' : `${(ms / 1000).toFixed(2)} s`);

function cell(text: string, className = ''): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

/** A badge styled by the first word of `text`. */
function badge(text: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = `badge status-${text.split(/[ :]/)[0].replace(/[^a-z]+/gi, '-')}`;
  span.textContent = text;
  return span;
}

function badgeCell(state: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.append(badge(state));
  return td;
}

function barCell(p: Progress): HTMLTableCellElement {
  const td = document.createElement('td');
  if (p.total) {
    const bar = document.createElement('span');
    bar.className = 'bar';
    const fill = document.createElement('span');
    fill.style.width = `${Math.min(100, (100 * (p.current ?? 0)) / p.total)}%`;
    bar.append(fill);
    td.append(bar, ` ${p.current ?? 0}/${p.total}`);
  }
  return td;
}

function show(): void {
  document.title = `${status} · ${title}`;
  $('status').replaceChildren(badge(status));
  $('facts').textContent = facts;
  $('stages').replaceChildren(
    ...[...stages.values()].map((s) => {
      const tr = document.createElement('tr');
      tr.dataset.stage = s.id;
      tr.dataset.state = s.state;
      tr.append(cell(s.id), cell(s.uses), badgeCell(s.state), barCell(s), cell(number(s.loss), 'num'), cell(seconds(s.durationMs), 'num'));
      return tr;
    }),
  );
  if (metrics.size > 0) {
    $('metrics-section').hidden = false;
    $('metrics').replaceChildren(
      ...[...metrics].map(([name, value]) => {
        const tr = document.createElement('tr');
        tr.append(cell(name), cell(number(value), 'num'));
        return tr;
      }),
    );
  }
  if (trials.size > 0) showTrials();
  showChart();
}

function showTrials(): void {
  $('sweep').hidden = false;
  const metric = objective ?? [...trials.values()].flatMap((t) => Object.keys(t.metrics ?? {}))[0];
  $('trial-head').replaceChildren(
    ...['trial', ...grid, 'status', 'stage', 'progress', 'loss', ...(metric ? [metric] : []), 'time'].map((h) => {
      const th = document.createElement('th');
      th.textContent = h;
      return th;
    }),
  );
  $('trials').replaceChildren(
    ...[...trials.values()].map((t) => {
      const tr = document.createElement('tr');
      tr.dataset.trial = t.id;
      tr.dataset.status = t.status;
      if (t.id === best) tr.className = 'best';
      tr.append(
        cell(t.id === best ? `★ ${t.id}` : t.id),
        ...grid.map((k) => cell(JSON.stringify(t.values[k]) ?? '')),
        badgeCell(t.status),
        cell(t.status === 'running' ? (t.stage ?? '') : (t.error ?? '')),
        barCell(t),
        cell(number(t.loss), 'num'),
        ...(metric ? [cell(number(t.metrics?.[metric]), 'num')] : []),
        cell(seconds(t.durationMs), 'num'),
      );
      return tr;
    }),
  );
}

function showChart(): void {
  if (remake && curves.size > 0) {
    const series: LossSeries[] = [...curves.values()].map((c) => ({ name: c.name, losses: c.train, ...(c.validation.length ? { validation: c.validation } : {}) }));
    const highlight = best === undefined ? undefined : trials.get(best)?.name;
    const spec = interactiveLossSpec(lossCurvesSpec(series, { title: 'Training loss', ...(highlight && series.some((s) => s.name === highlight) ? { highlight } : {}) }))!;
    const y = spec.scales?.find((s) => s.name === 'y');
    if (userChose && y) Object.assign(y, { type: drawnLog ? 'log' : 'linear' });
    drawnLog = y?.type === 'log';
    const toggle = spec.signals?.find((s) => s.name === 'logScale');
    if (toggle && 'value' in toggle) toggle.value = drawnLog;
    chart = new Chart($('loss').querySelector('.view')!, spec, (log) => {
      userChose = true;
      drawnLog = log;
    });
    void chart.draw().catch(() => undefined);
  } else if (chart && fresh.length > 0) {
    void chart.insert('losses', fresh).catch(() => undefined);
  }
  remake = false;
  fresh = [];
}

const source = new EventSource('events');
source.onmessage = (message) => handle(JSON.parse(message.data as string) as LiveEvent);
source.onopen = () => {
  if (status === 'connecting…' || status === 'connection lost, retrying…') status = 'connected';
  schedule();
};
source.onerror = () => {
  if (ended) return;
  status = source.readyState === EventSource.CLOSED ? 'connection lost' : 'connection lost, retrying…';
  schedule();
};
schedule();

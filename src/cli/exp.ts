/**
 * `rxlab exp show|diff|apply FILE …`: a pipeline's runs on record (src/exp), as a table,
 * as the differences between two of them, or one of them made the pipeline as committed.
 */
import { applyRun, type ParamChange, type WrittenParams } from '../exp/apply.ts';
import { diffRuns, type RunDiff } from '../exp/diff.ts';
import type { RunRecord } from '../exp/history.ts';
import { findRun, openHistory, type History } from '../exp/runs.ts';
import { runTable, type Column, type RunTable } from '../exp/table.ts';
import { resolveStage } from '../stages/registry.ts';
import { shown } from '../util/paths.ts';
import { plainDisplay } from './display.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import type { ParsedArgs } from './options.ts';
import { formatTable } from './table.ts';

const say = (text: string): void => void process.stdout.write(`${text}\n`);

export async function expCommand(file: string, args: ParsedArgs): Promise<number> {
  const history = await openHistory(file, resolveStage);
  for (const { file: skipped, reason } of history.skipped) process.stderr.write(`rxlab exp: skipped ${shown(skipped)}: ${reason}\n`);
  switch (args.subcommand) {
    case 'diff':
      return diff(history, args);
    case 'apply':
      return apply(file, history, args);
    default:
      return show(history, args);
  }
}

/** A value as a table cell: numbers to 6 significant digits, text as it is, anything else as JSON. */
function cell(value: unknown, column: Column): string {
  if (value === undefined) return '';
  if (column.id === 'started') return localTime(value as string);
  if (column.id === 'duration') return `${(value as number).toFixed(1)} s`;
  if (typeof value === 'number') return String(Number(value.toPrecision(6)));
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `2026-12-03 09:39:01`, in the local time zone. */
function localTime(iso: string): string {
  const d = new Date(iso);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
function csvField(value: unknown): string {
  const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function show(history: History, args: ParsedArgs): number {
  const table: RunTable = runTable(history.records, { filters: args.filter, sort: args.sort, allParams: args.allParams, source: history.plan.pipeline.source });
  if (args.json) {
    say(JSON.stringify(table.rows.map((r) => r.record), null, 2));
    return EXIT.ok;
  }
  if (args.csv) {
    const lines = [table.columns.map((c) => csvField(c.label)), ...table.rows.map((r) => table.columns.map((c) => csvField(r.values[c.id])))];
    process.stdout.write(lines.map((l) => `${l.join(',')}\r\n`).join(''));
    return EXIT.ok;
  }
  const name = history.plan.pipeline.name;
  if (history.records.length === 0) {
    say(`${name} has no runs on record yet (${shown(history.dir)}); rxlab run, sweep and check record theirs`);
    return EXIT.ok;
  }
  const shownRows = table.rows.length;
  say(`${name}: ${shownRows} of ${history.records.length} run${history.records.length === 1 ? '' : 's'} on record (${shown(history.dir)})`);
  if (shownRows > 0) say(formatTable(table.columns.map((c) => c.label), table.rows.map((r) => table.columns.map((c) => cell(r.values[c.id], c)))));
  return EXIT.ok;
}

const label = (r: RunRecord): string => `${r.name} (${r.id}, ${localTime(r.startedAt)})`;
const signed = (x: number): string => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${String(Number(Math.abs(x).toPrecision(4)))}`;

function diff(history: History, args: ParsedArgs): number {
  const [a, b] = args.args.map((ref) => findRun(history, ref));
  const d: RunDiff = diffRuns(a, b);
  if (args.json) {
    const brief = (r: RunRecord) => ({ id: r.id, name: r.name, kind: r.kind, startedAt: r.startedAt, status: r.status });
    say(JSON.stringify({ ...d, a: brief(a), b: brief(b) }, null, 2));
    return EXIT.ok;
  }
  const text = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : typeof v === 'number' ? String(Number(v.toPrecision(6))) : JSON.stringify(v));
  const lines = [`A: ${label(a)}`, `B: ${label(b)}`, ''];
  lines.push(d.params.length ? formatTable(['param', 'A', 'B'], d.params.map((p) => [p.param, text(p.a), text(p.b)])) : 'params: the same');
  lines.push('');
  if (d.metrics.length) {
    const change = (m: RunDiff['metrics'][number]): string =>
      m.delta === undefined ? '' : `${signed(m.delta)}${m.a ? ` (${signed((m.delta / Math.abs(m.a)) * 100)}%)` : ''}${m.better === undefined ? '' : m.better ? ', better' : ', worse'}`;
    lines.push(formatTable(['metric', 'A', 'B', 'B − A'], d.metrics.map((m) => [m.metric, text(m.a), text(m.b), change(m)])));
  } else lines.push('metrics: none recorded');
  lines.push('');
  if (d.artifacts.length) lines.push(formatTable(['artifact', 'change'], d.artifacts.map((x) => [x.artifact, x.change])));
  lines.push(`artifacts: ${d.artifacts.length} differ, ${d.sameArtifacts} the same`);
  say(lines.join('\n'));
  return EXIT.ok;
}

async function apply(file: string, history: History, args: ParsedArgs): Promise<number> {
  const record = findRun(history, args.args[0]);
  const given = shown(history.plan.pipeline.file);
  const display = plainDisplay((text) => void process.stdout.write(text));
  const change = (c: ParamChange): string => `${c.param} ${JSON.stringify(c.from) ?? '(absent)'} → ${JSON.stringify(c.to) ?? '(absent)'}`;
  const written = (w: WrittenParams): void => {
    say(w.changes.length ? `${given} now has the params of run ${record.id} (${record.name}): ${w.changes.map(change).join(', ')}` : `${given} already had the params of run ${record.id} (${record.name})`);
    if (w.relaidOut) say(`note: yaml could not keep the layout of ${given} line for line; its comments are kept`);
    for (const c of w.unmatched) process.stderr.write(`rxlab exp apply: ${c.param} still differs from the run's: ${change(c)}\n`);
  };
  const applied = await untilInterrupted((signal) =>
    applyRun(
      file,
      record,
      {
        resolve: resolveStage,
        signal,
        onEvent: (e) => display.event(e),
      },
      { onWarning: (text) => void process.stderr.write(`rxlab exp apply: ${text}\n`) },
      { onWritten: written, onAdopted: (ids, from, to) => say(`from ${shown(from)} into ${shown(to)} and the lock: ${ids.join(', ')}`) },
    ),
  );
  const { manifest, target } = applied.run;
  if (manifest.status !== 'completed') {
    process.stderr.write(`run ${manifest.status} after ${(manifest.durationMs / 1000).toFixed(2)} s: ${manifest.error}\n`);
    return EXIT.failed;
  }
  const cached = Object.values(manifest.stages).filter((s) => s.status === 'cached').length;
  say(`run completed in ${(manifest.durationMs / 1000).toFixed(2)} s (${Object.keys(manifest.stages).length - cached} ran, ${cached} cached); artifacts in ${shown(target.outDir)}`);
  say(`lock ${shown(target.lockFile)} ${applied.lockUpdate}`);
  return EXIT.ok;
}

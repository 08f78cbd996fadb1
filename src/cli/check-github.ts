/**
 * `rxlab check --format github`: workflow commands that GitHub Actions turns into
 * annotations on the pipeline file's line of each stage that drifted, and a Markdown
 * summary for the job's page (`$GITHUB_STEP_SUMMARY`), metrics first.
 */
import { shown } from '../util/paths.ts';
import { metricDeltas, moved, noteStage, stageLine, type CheckOutcome } from './check-report.ts';
import { forPeople } from '../util/numbers.ts';

/** A workflow command's message: %, CR and LF escaped as the runner expects. */
const escapeData = (text: string): string => text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
/** A workflow command's property value: also : and , escaped. */
const escapeProperty = (text: string): string => escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');

const annotation = (file: string, line: number, title: string, message: string): string =>
  `::error file=${escapeProperty(file)},line=${line},title=${escapeProperty(title)}::${escapeData(message)}`;

/** One `::error` per stage that drifted, at its line in the pipeline file; one for a pipeline that could not be compared. */
export function githubAnnotations(outcome: CheckOutcome): string[] {
  const file = shown(outcome.check?.plan.pipeline.file ?? outcome.file);
  const report = outcome.check?.report;
  if (!report) return outcome.ok ? [] : [annotation(file, outcome.line || 1, 'rxlab check', outcome.error ?? 'not checked')];
  const byStage = new Map<string, string[]>();
  const add = (stage: string, text: string): void => void byStage.set(stage, [...(byStage.get(stage) ?? []), text]);
  for (const note of report.notes) add(noteStage(note) ?? '', note.replace(/^[^:\s]+:\s*/, ''));
  for (const row of report.rows.filter((r) => r.result !== 'same')) add(row.stage, `${row.artifact} ${row.result}${row.detail ? ` (${row.detail})` : ''}`);
  const name = outcome.check!.plan.pipeline.name;
  return [...byStage].map(([stage, problems]) => annotation(file, stageLine(outcome.check, stage), `rxlab check: ${name} stage ${stage} drifted`, problems.join('; ')));
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const number = (x: number | undefined): string => (x === undefined ? '—' : forPeople(x));
const delta = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '—' : `${b - a >= 0 ? '+' : ''}${forPeople(b - a)}`);

/** The job summary: one line per pipeline, then for each that drifted its metrics (those that moved first) and what changed. */
export function githubSummary(outcomes: readonly CheckOutcome[]): string {
  const passed = outcomes.filter((o) => o.ok).length;
  const lines = [`## rxlab check: ${passed} of ${outcomes.length} pipelines reproduce their locks`, '', '| pipeline | result |', '|---|---|'];
  for (const o of outcomes) lines.push(`| ${cell(o.file)} | ${o.ok ? '✅ reproduces' : o.check?.report ? '❌ drift' : `❌ ${cell(o.error?.split('\n')[0] ?? 'not checked')}`} |`);
  for (const o of outcomes.filter((x) => !x.ok && x.check?.report)) {
    const { report } = o.check!;
    lines.push('', `### ${cell(o.file)}`, '');
    const metrics = metricDeltas(o.check!);
    if (metrics.length) {
      lines.push('| metric | lock | this run | change |', '|---|---|---|---|');
      for (const m of metrics) lines.push(`| ${moved(m) ? `**${m.name}**` : m.name} | ${number(m.locked)} | ${number(m.now)} | ${delta(m.locked, m.now)} |`);
    }
    if (report!.notes.length) lines.push('', ...report!.notes.map((note) => `- ${cell(note)}`));
    const changed = report!.rows.filter((r) => r.result !== 'same');
    if (changed.length) {
      lines.push('', '| stage | artifact | result | difference |', '|---|---|---|---|');
      for (const r of changed) lines.push(`| ${r.stage} | ${cell(r.artifact)} | ${r.result} | ${cell(r.detail)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

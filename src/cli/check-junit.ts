/**
 * `rxlab check --junit FILE`: the checks as JUnit XML, which CI systems show as tests.
 * One test suite per pipeline; in it one test case per stage and artifact (a failure
 * carries the difference), one per stage for its params and code (a failure carries the
 * lock's note), and, for a pipeline that could not be compared, one erroring case.
 */
import { hostname } from 'node:os';
import { noteStage, type CheckOutcome } from './check-report.ts';

const escape = (text: string): string =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    // Characters XML 1.0 cannot hold at all.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; detail: string };
  error?: string;
}

function casesOf(outcome: CheckOutcome): Case[] {
  const report = outcome.check?.report;
  const suite = outcome.check?.plan.pipeline.name ?? outcome.file;
  if (!report) return [{ classname: suite, name: 'run and compare', error: outcome.error ?? 'not checked' }];
  const cases: Case[] = [];
  const stages = [...new Set([...report.rows.map((r) => r.stage), ...report.notes.map(noteStage).filter((s): s is string => s !== undefined)])];
  for (const stage of stages) {
    const notes = report.notes.filter((n) => noteStage(n) === stage);
    cases.push({
      classname: `${suite}.${stage}`,
      name: 'params and code',
      ...(notes.length ? { failure: { message: notes[0], detail: notes.join('\n') } } : {}),
    });
    for (const row of report.rows.filter((r) => r.stage === stage)) {
      const message = `${row.artifact} ${row.result}${row.detail ? `: ${row.detail}` : ''}`;
      cases.push({
        classname: `${suite}.${stage}`,
        name: row.artifact,
        ...(row.result === 'same' ? {} : { failure: { message, detail: `${message} (compared by ${row.compared})` } }),
      });
    }
  }
  return cases;
}

export function junitReport(outcomes: readonly CheckOutcome[]): string {
  const suites = outcomes.map((outcome, id) => ({ outcome, id, cases: casesOf(outcome) }));
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    // The common schema (Ant's, test/fixtures/ci/JUnit.xsd) gives <testsuites> no attributes: the counts are per suite.
    '<testsuites>',
  ];
  const timestamp = new Date().toISOString().slice(0, 19);
  for (const { outcome, id, cases } of suites) {
    const name = outcome.check?.plan.pipeline.name ?? outcome.file;
    lines.push(
      `  <testsuite name="${escape(name)}" package="${escape(outcome.file)}" id="${id}" hostname="${escape(hostname())}" timestamp="${timestamp}" tests="${cases.length}" failures="${cases.filter((c) => c.failure).length}" errors="${cases.filter((c) => c.error).length}" time="${seconds(outcome.durationMs)}">`,
      '    <properties>',
      `      <property name="file" value="${escape(outcome.file)}"/>`,
      ...(outcome.check ? [`      <property name="lock" value="${escape(outcome.check.lockFile)}"/>`] : []),
      '    </properties>',
    );
    for (const c of cases) {
      const open = `    <testcase name="${escape(c.name)}" classname="${escape(c.classname)}" time="0"`;
      if (c.failure) lines.push(`${open}>`, `      <failure message="${escape(c.failure.message)}" type="drift">${escape(c.failure.detail)}</failure>`, '    </testcase>');
      else if (c.error) lines.push(`${open}>`, `      <error message="${escape(c.error.split('\n')[0])}" type="not-compared">${escape(c.error)}</error>`, '    </testcase>');
      else lines.push(`${open}/>`);
    }
    lines.push('    <system-out/>', '    <system-err/>', '  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** Run by history.test.ts as one of several processes at once: writes `count` records into DIR, each `running` then `completed`. */
import { hostname } from 'node:os';
import { RECORD_FORMAT, newRecordId, writeRecord, type RunRecord } from '../../src/exp/history.ts';

const [dir, count, hold] = process.argv.slice(2);
const record = (i: number): RunRecord => ({
  format: RECORD_FORMAT,
  id: newRecordId(),
  name: `p${process.pid}-${i}`,
  kind: 'run',
  pipeline: { name: 'p', file: '/p.yaml', sha256: '0' },
  overrides: [`s.i=${i}`],
  status: 'running',
  startedAt: new Date().toISOString(),
  pid: process.pid,
  host: hostname(),
  params: { s: { i, padding: 'x'.repeat(4000) } },
  stages: { s: { uses: 's', status: 'completed' } },
  metrics: {},
  directions: { 's.m': 'maximize' },
  artifacts: {},
});
for (let i = 0; i < Number(count); i++) {
  const r = record(i);
  await writeRecord(dir, r);
  if (hold) {
    process.stdout.write('running\n');
    await new Promise(() => undefined); // until killed
  }
  await writeRecord(dir, { ...r, status: 'completed', durationMs: 1, metrics: { 's.m': i } });
}

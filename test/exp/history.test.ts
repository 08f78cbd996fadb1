/**
 * The history store itself (src/exp/history.ts): records from several processes writing at
 * once, a process killed while its run was recorded `running`, and files that are not records.
 */
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../../src/exp/history.ts';
import { tempDir } from '../helpers/engine.ts';

const writer = fileURLToPath(new URL('./write-records.ts', import.meta.url));

/** Starts write-records.ts; resolves with its exit code, or calls `onLine` for each line it prints. */
function startWriter(dir: string, count: number, hold = false) {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, String(count), ...(hold ? ['hold'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const printed = new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
  return { child, exited, printed };
}

describe('the history of runs', () => {
  it('keeps every record when four processes write theirs at the same time', async () => {
    const dir = tempDir();
    const writers = Array.from({ length: 4 }, () => startWriter(dir, 40));
    expect(await Promise.all(writers.map((w) => w.exited))).toEqual([0, 0, 0, 0]);
    const { records, skipped } = readRecords(dir);
    expect(skipped).toEqual([]);
    // 4 × 40 runs, each written twice (running, then completed) and each record whole (4 KB of params).
    expect(records).toHaveLength(160);
    expect(new Set(records.map((r) => r.id)).size).toBe(160);
    expect(records.every((r) => r.status === 'completed' && (r.params.s.padding as string).length === 4000)).toBe(true);
    for (const w of writers) {
      const mine = records.filter((r) => r.pid === w.child.pid).map((r) => r.metrics['s.m']);
      expect(mine.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    }
    expect(readdirSync(dir).filter((f) => !f.endsWith('.json'))).toEqual([]);
  });

  it('shows a run whose process was killed while it ran as interrupted, saying so', async () => {
    const dir = tempDir();
    const w = startWriter(dir, 1, true);
    await w.printed;
    expect(readRecords(dir).records.map((r) => r.status)).toEqual(['running']);
    w.child.kill('SIGKILL');
    await w.exited;
    const [record] = readRecords(dir).records;
    expect(record.status).toBe('interrupted');
    expect(record.error).toBe(`its process (pid ${w.child.pid}) ended without recording how the run ended: it was killed, or the machine stopped`);
  });

  it('skips files that are not records, saying why, and never reads a record being written', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '2026-01-01T000000000Z-0badf00d.json'), '{"format": 1, "id": "0bad');
    writeFileSync(join(dir, '2026-01-01T000000001Z-0badf00e.json'), '{"format": 99, "id": "0badf00e"}');
    writeFileSync(join(dir, '.writing-2026-01-01T000000002Z-12345678.json.1.abc'), '{"format": 1, "id": "12345678"}');
    const { records, skipped } = readRecords(dir);
    expect(records).toEqual([]);
    expect(skipped.map((s) => [s.file.slice(dir.length + 1), s.reason.replace(/\(.*\)/, '(…)')])).toEqual([
      ['2026-01-01T000000000Z-0badf00d.json', 'not JSON (…)'],
      ['2026-01-01T000000001Z-0badf00e.json', 'not a run record of format 1'],
    ]);
    expect(readRecords(join(dir, 'none'))).toEqual({ records: [], skipped: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { compareLocks, formatNumber, largestDifference } from '../../src/engine/reuse/check.ts';
import type { Lockfile } from '../../src/engine/record/lock.ts';
import { chain, runCached } from '../helpers/counting-stages.ts';
import { tempDir } from '../helpers/engine.ts';

/** A copy of `lock` with one stage's artifact given another hash and, optionally, other stored values. */
function drifted(lock: Lockfile, stage: string, name: string, values?: unknown): Lockfile {
  const copy = structuredClone(lock);
  copy.stages[stage].artifacts[name] = '0'.repeat(64);
  if (values !== undefined) copy.stages[stage].values[name] = values;
  return copy;
}

const row = (stage: string, artifact: string, compared: string, result: string, detail = '') => ({ stage, artifact, compared, result, detail });

describe('largestDifference', () => {
  it('finds the largest numeric difference and its path', () => {
    expect(largestDifference({ loss: [1, 2, 3.0000003] }, { loss: [1, 2.0000001, 3] })).toEqual({ largest: expect.closeTo(3e-7, 12), at: 'loss[2]' });
    expect(largestDifference([{ w: [[1, 2]] }], [{ w: [[1, 2.5]] }])).toEqual({ largest: 0.5, at: '[0].w[0][1]' });
  });

  it('reports a difference of shape or of a non-number instead', () => {
    expect(largestDifference({ loss: [1, 2] }, { loss: [1] }).mismatch).toBe('loss has 2 items, the lock has 1');
    expect(largestDifference({ a: 1 }, { a: 1, b: 2 }).mismatch).toBe('b is missing');
    expect(largestDifference({ a: 1, c: 0 }, { a: 1 }).mismatch).toBe('c is not in the lock');
    expect(largestDifference({ name: 'red' }, { name: 'black' }).mismatch).toBe('name is "red", the lock has "black"');
  });

  it('formats differences with two significant digits', () => {
    expect([3.14159e-7, 1e-6, 0.00421, 12.3].map(formatNumber)).toEqual(['3.1e-7', '1e-6', '0.0042', '12']);
  });
});

describe('compareLocks', () => {
  it('passes a run that reproduces its lock', async () => {
    const { lock } = await runCached(chain(), tempDir());
    const report = compareLocks(lock, structuredClone(lock), { order: ['x', 'y', 'sum', 'total'] });
    expect(report.ok).toBe(true);
    expect(report.rows.map((r) => `${r.stage} ${r.artifact} ${r.result}`)).toEqual([
      'x value.json same',
      'y value.json same',
      'sum sum.txt same',
      'total sum.txt same',
    ]);
  });

  it('explains a changed JSON artifact by its largest difference, and accepts it within a tolerance', async () => {
    const { lock: actual } = await runCached(chain(), tempDir());
    const expected = drifted(actual, 'x', 'value.json', { n: 1 + 3.1e-7 });
    expect(compareLocks(expected, actual).rows[0]).toEqual(row('x', 'value.json', 'bytes', 'changed', 'n differs by 3.1e-7'));
    const within = compareLocks(expected, actual, { tolerance: 1e-6 });
    expect(within.ok).toBe(true);
    expect(within.rows[0]).toEqual(row('x', 'value.json', 'values ±1e-6', 'same', 'largest difference: n differs by 3.1e-7'));
    const beyond = compareLocks(expected, actual, { tolerance: 1e-7 });
    expect(beyond.ok).toBe(false);
    expect(beyond.rows[0]).toEqual(row('x', 'value.json', 'values ±1e-7', 'changed', 'n differs by 3.1e-7'));
  });

  it('compares artifacts without stored values by bytes, even with a tolerance', async () => {
    const { lock: actual } = await runCached(chain(), tempDir());
    const report = compareLocks(drifted(actual, 'sum', 'sum.txt'), actual, { tolerance: 1 });
    expect(report.rows.find((r) => r.stage === 'sum')).toEqual(
      row('sum', 'sum.txt', 'bytes', 'changed', `sha256 ${actual.stages.sum.artifacts['sum.txt'].slice(0, 12)}…, the lock has 000000000000… (no stored values)`),
    );
  });

  it('lists missing and new artifacts and output values, and notes stages and params the lock does not match', async () => {
    const { lock: actual } = await runCached(chain(), tempDir());
    const expected = structuredClone(actual);
    expected.stages.x.artifacts['gone.json'] = 'a'.repeat(64);
    delete expected.stages.y.artifacts['value.json'];
    expected.stages.sum.outputs.value = 'b'.repeat(64);
    expected.stages.total.params = { n: 3 };
    expected.stages.total.paramsHash = 'c'.repeat(64);
    expected.stages.old = structuredClone(actual.stages.x);
    const report = compareLocks(expected, actual, { order: ['x', 'y', 'sum', 'total'] });
    expect(report.ok).toBe(false);
    expect(report.rows.filter((r) => r.result !== 'same')).toEqual([
      row('x', 'gone.json', 'bytes', 'missing', 'the run did not produce it'),
      row('y', 'value.json', 'bytes', 'new', 'not in the lock'),
      row('sum', 'output value', 'hash', 'changed'),
      row('old', 'value.json', 'bytes', 'missing', 'the run did not produce it'),
      row('old', 'metric n', 'value', 'missing', 'the lock has 1; the run did not report it'),
      row('old', 'output value', 'hash', 'missing'),
    ]);
    expect(report.notes).toEqual(['total: params changed: n 3 → (unset) since the lock was written', 'old: in the lock but not in the pipeline']);
  });
});

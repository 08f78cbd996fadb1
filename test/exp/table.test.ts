/** The table of `rxlab exp show` (src/exp/table.ts) from records made here: columns, filters, sorting. */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/exp/history.ts';
import { runTable } from '../../src/exp/table.ts';

const record = (id: string, loss: 'bce' | 'mse', lr: number, metrics: Record<string, number>): RunRecord => ({
  format: 1,
  id,
  name: `lr=${lr}`,
  kind: 'trial',
  pipeline: { name: 'p', file: '/p.yaml', sha256: '0' },
  overrides: [],
  status: 'completed',
  startedAt: `2026-01-0${id}T00:00:00.000Z`,
  durationMs: 1000,
  pid: 1,
  host: 'h',
  params: { train: { loss, optimizer: { name: 'sgd', lr }, title: `lr ${lr}` } },
  stages: { train: { uses: 'train', status: 'completed' } },
  metrics,
  directions: { 'train.loss': 'minimize', 'evaluate.accuracy': 'maximize' },
  artifacts: {},
});

const records = [
  record('1', 'bce', 0.1, { 'train.loss': 0.3, 'evaluate.accuracy': 0.9 }),
  record('2', 'mse', 0.01, { 'train.loss': 0.1, 'evaluate.accuracy': 0.95 }),
  record('3', 'bce', 0.5, { 'train.loss': 0.2 }),
];
const ids = (options: Parameters<typeof runTable>[1]): string[] => runTable(records, options).rows.map((r) => r.record.id);

describe('runTable', () => {
  it("names train's loss function param:train.loss beside its loss metric, train.loss", () => {
    const { columns } = runTable(records, { source: 'stages:\n  train:\n    with: { title: "lr ${train.optimizer.lr}" }\n' });
    expect(columns.filter((c) => c.kind !== 'info').map((c) => [c.label, c.id, c.direction])).toEqual([
      ['param:train.loss', 'param:train.loss', undefined],
      ['train.optimizer.lr', 'param:train.optimizer.lr', undefined],
      ['train.loss', 'metric:train.loss', 'minimize'],
      ['evaluate.accuracy', 'metric:evaluate.accuracy', 'maximize'],
    ]);
    expect(ids({ filters: ['train.loss<0.25'] })).toEqual(['2', '3']);
    expect(ids({ filters: ['param:train.loss=bce'] })).toEqual(['1', '3']);
  });

  it('sorts metrics best first by their direction, runs without the value last, ties in time order', () => {
    expect(ids({ sort: 'evaluate.accuracy' })).toEqual(['2', '1', '3']);
    expect(ids({ sort: 'train.loss' })).toEqual(['2', '3', '1']);
    expect(ids({ sort: 'train.optimizer.lr' })).toEqual(['2', '1', '3']);
    expect(ids({ sort: 'param:train.loss' })).toEqual(['1', '3', '2']);
    expect(ids({ sort: 'started', filters: ['started>=2026-01-02', 'status!=failed'] })).toEqual(['2', '3']);
  });

  it('shows only the params that differ among the rows shown, unless asked for all', () => {
    const labels = (options: Parameters<typeof runTable>[1]): string[] => runTable(records, options).columns.filter((c) => c.kind === 'param').map((c) => c.label);
    expect(labels({ filters: ['param:train.loss=bce'] })).toEqual(['train.optimizer.lr', 'train.title']);
    expect(labels({ filters: ['param:train.loss=bce'], allParams: true })).toEqual(['param:train.loss', 'train.optimizer.name', 'train.optimizer.lr', 'train.title']);
  });
});

import { describe, expect, it } from 'vitest';
import { SweepSpecError, expandGrid, parseGridArg } from '../../src/sweep/grid.ts';

describe('parseGridArg', () => {
  it('reads the values as YAML: numbers, strings and lists', () => {
    expect(parseGridArg('train.optimizer.lr=0.001,0.01,0.1')).toEqual(['train.optimizer.lr', [0.001, 0.01, 0.1]]);
    expect(parseGridArg('train.optimizer.name=sgd,adam')).toEqual(['train.optimizer.name', ['sgd', 'adam']]);
    expect(parseGridArg('model.layers=[2,4,1],[2,8,1]')).toEqual(['model.layers', [[2, 4, 1], [2, 8, 1]]]);
  });

  it('says what is wrong with a malformed grid', () => {
    expect(() => parseGridArg('lr=0.1')).toThrow(
      new SweepSpecError('--grid lr=0.1: expected STAGE.PARAM=VALUE,VALUE,… e.g. --grid train.optimizer.lr=0.001,0.01,0.1'),
    );
    expect(() => parseGridArg('train.epochs=')).toThrow('--grid train.epochs=: give at least one value after "="');
    expect(() => parseGridArg('train.epochs=[1,2')).toThrow(/^--grid train.epochs=\[1,2: the values are not a comma-separated list/);
  });
});

describe('expandGrid', () => {
  const grid = { 'train.optimizer.lr': [0.001, 0.01, 0.1], 'model.init.seed': [1, 2] };

  it('expands every combination, the last key fastest, as --set overrides', () => {
    const trials = expandGrid(grid);
    expect(trials).toHaveLength(6);
    expect(trials[0]).toEqual({
      id: 'trial-001',
      values: { 'train.optimizer.lr': 0.001, 'model.init.seed': 1 },
      overrides: ['train.optimizer.lr=0.001', 'model.init.seed=1'],
    });
    expect(trials.map((t) => t.values['model.init.seed'])).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('samples distinct combinations reproducibly with random', () => {
    const a = expandGrid(grid, { random: 3, seed: 7 });
    expect(a).toHaveLength(3);
    expect(new Set(a.map((t) => t.overrides.join(' '))).size).toBe(3);
    expect(expandGrid(grid, { random: 3, seed: 7 })).toEqual(a);
    expect(expandGrid(grid, { random: 10 })).toHaveLength(6);
  });

  it('refuses an empty grid', () => {
    expect(() => expandGrid({})).toThrow(/^nothing to sweep/);
  });
});

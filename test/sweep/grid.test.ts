import { describe, expect, it } from 'vitest';
import { MAX_TRIALS, SweepSpecError, expandGrid, fileGrid, gridValues, parseGridArg } from '../../src/sweep/grid.ts';

describe('parseGridArg', () => {
  it('reads the values as YAML: numbers, strings and lists', () => {
    expect(parseGridArg('train.optimizer.lr=0.001,0.01,0.1')).toEqual(['train.optimizer.lr', [0.001, 0.01, 0.1]]);
    expect(parseGridArg('train.optimizer.name=sgd,adam')).toEqual(['train.optimizer.name', ['sgd', 'adam']]);
    expect(parseGridArg('model.layers=[2,4,1],[2,8,1]')).toEqual(['model.layers', [[2, 4, 1], [2, 8, 1]]]);
  });

  it('says what is wrong with a malformed grid', () => {
    expect(() => parseGridArg('lr=0.1')).toThrow(
      new SweepSpecError('--grid lr=0.1: expected STAGE.PARAM=VALUE,VALUE,… e.g. --grid train.optimizer.lr=0.001,0.01,0.1 or =logspace(-3, -1, 3)'),
    );
    expect(() => parseGridArg('train.epochs=')).toThrow('--grid train.epochs=: give at least one value after "="');
    expect(() => parseGridArg('train.epochs=[1,2')).toThrow(/^--grid train.epochs=\[1,2: the values are not a comma-separated list/);
  });
});

describe('grid expressions (Hydra-style)', () => {
  const values = (text: string) => parseGridArg(`train.optimizer.lr=${text}`)[1];

  it('range(START, STOP[, STEP]) as Python has it, stop excluded, without float noise', () => {
    expect(values('range(1, 5)')).toEqual([1, 2, 3, 4]);
    expect(values('range(0.1, 0.4, 0.1)')).toEqual([0.1, 0.2, 0.3]);
    expect(values('range(10, 0, -3)')).toEqual([10, 7, 4, 1]);
    expect(values('range(0.001, 0.1, 0.03)')).toEqual([0.001, 0.031, 0.061, 0.091]);
  });

  it('linspace and logspace as NumPy has them, both ends included', () => {
    expect(values('linspace(0, 1, 5)')).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(values('logspace(-3, -1, 3)')).toEqual([0.001, 0.01, 0.1]);
    expect(values('logspace(-4, -1, 4)')).toEqual([0.0001, 0.001, 0.01, 0.1]);
    expect(values('logspace(0, 2, 5)')).toEqual([1, 3.16227766017, 10, 31.6227766017, 100]);
    expect(values(' logspace( -2 , -2 , 1 ) ')).toEqual([0.01]);
  });

  it('choice(…) and plain lists read their values as YAML', () => {
    expect(values('choice(sgd, adam)')).toEqual(['sgd', 'adam']);
    expect(parseGridArg('model.layers=choice([2,1], [2,4,1])')).toEqual(['model.layers', [[2, 1], [2, 4, 1]]]);
    expect(values('0.1,0.2')).toEqual([0.1, 0.2]);
  });

  it('says what is wrong with an expression, naming the flag', () => {
    expect(() => values('range(0, 1, 0)')).toThrow(new SweepSpecError('--grid train.optimizer.lr=range(0, 1, 0): the step of range() cannot be 0'));
    expect(() => values('range(5, 1)')).toThrow('--grid train.optimizer.lr=range(5, 1): range(5, 1) is empty: no value from 5 goes up to 1');
    expect(() => values('range(1)')).toThrow('--grid train.optimizer.lr=range(1): expected range(START, STOP[, STEP]) with numbers, found range(1)');
    expect(() => values('logspace(-3, -1)')).toThrow('expected logspace(START, STOP, N) with numbers, found logspace(-3, -1)');
    expect(() => values('linspace(0, 1, 2.5)')).toThrow('N in linspace(START, STOP, N) must be an integer from 1 to 100000, found 2.5');
    expect(() => values('range(0, 1, 1e-9)')).toThrow('range(0, 1, 1e-9) has 1000000000 values; at most 100000');
  });

  it('takes the same expressions in the file\'s sweep.grid, named by file and path in errors', () => {
    expect(fileGrid({ 'train.optimizer.lr': 'logspace(-3, -1, 3)', 'model.init.seed': [1, 2] }, 'p.yaml')).toEqual({
      'train.optimizer.lr': [0.001, 0.01, 0.1],
      'model.init.seed': [1, 2],
    });
    expect(() => gridValues('range(0, 1, 0)', 'p.yaml sweep.grid train.epochs')).toThrow('p.yaml sweep.grid train.epochs: the step of range() cannot be 0');
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

  it('draws from a grid of millions of combinations without listing them, and refuses to list them all', () => {
    const huge = { a: Array.from({ length: 1000 }, (_, i) => i), b: Array.from({ length: 1000 }, (_, i) => i), c: Array.from({ length: 1000 }, (_, i) => i) };
    const drawn = expandGrid(huge, { random: 5, seed: 1 });
    expect(drawn).toHaveLength(5);
    expect(new Set(drawn.map((t) => t.overrides.join(' '))).size).toBe(5);
    // Trials keep grid order: each later one is a later combination.
    const order = drawn.map((t) => (t.values.a as number) * 1e6 + (t.values.b as number) * 1e3 + (t.values.c as number));
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(expandGrid(huge, { random: 5, seed: 1 })).toEqual(drawn);
    expect(() => expandGrid(huge)).toThrow(`the grid has 1000000000 combinations; at most ${MAX_TRIALS} run without --random N, which draws N of them`);
  });

  it('refuses an empty grid', () => {
    expect(() => expandGrid({})).toThrow(/^nothing to sweep/);
  });
});

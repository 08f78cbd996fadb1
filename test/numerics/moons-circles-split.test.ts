import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { glibcCos, glibcSin } from '../../src/numerics/glibc-sincos.ts';
import { makeCircles, type MakeCirclesOptions } from '../../src/numerics/make-circles.ts';
import { makeMoons, type MakeMoonsOptions } from '../../src/numerics/make-moons.ts';
import { RandomState } from '../../src/numerics/random-state.ts';
import { trainTestSplit, trainTestSplitIndices, type TrainTestSplitOptions } from '../../src/numerics/train-test-split.ts';
import fixture from '../fixtures/sklearn-datasets.json' with { type: 'json' };

/** Hex float64 bit patterns (as the fixture stores doubles) to numbers. */
function doubles(hex: string[]): number[] {
  const view = new DataView(new ArrayBuffer(8));
  return hex.map((h) => {
    view.setBigUint64(0, BigInt(`0x${h}`));
    return view.getFloat64(0);
  });
}

/** The values that are not bit-for-bit equal (Object.is tells -0 from 0), as readable lines. */
function mismatches(actual: ArrayLike<number>, expected: number[], label = (i: number) => `[${i}]`): string[] {
  expect(actual.length).toBe(expected.length);
  return expected.flatMap((e, i) => (Object.is(actual[i], e) ? [] : [`${label(i)} ${actual[i]} !== ${e}`]));
}

describe('glibcSin and glibcCos reproduce np.sin and np.cos (glibc 2.36 __sin_fma/__cos_fma) bit for bit', () => {
  // Inputs where V8's Math.sin/cos differ from NumPy, where evaluating glibc's formulas
  // without its fused multiply-adds differs, every path's thresholds ±ulps, specials,
  // and random ones over the whole ported domain |x| < 105414336.
  const x = doubles(fixture.sincos.x);

  it(`sin matches on all ${x.length} inputs`, () => {
    expect(mismatches(x.map(glibcSin), doubles(fixture.sincos.sin), (i) => `sin(${x[i]})`)).toEqual([]);
  });

  it(`cos matches on all ${x.length} inputs`, () => {
    expect(mismatches(x.map(glibcCos), doubles(fixture.sincos.cos), (i) => `cos(${x[i]})`)).toEqual([]);
  });

  it('is a fixture where Math.sin and Math.cos would not do', () => {
    const sin = doubles(fixture.sincos.sin);
    const cos = doubles(fixture.sincos.cos);
    expect(x.filter((v, i) => !Object.is(Math.sin(v), sin[i])).length).toBeGreaterThan(250);
    expect(x.filter((v, i) => !Object.is(Math.cos(v), cos[i])).length).toBeGreaterThan(250);
  });

  it('returns NaN for non-finite input and refuses arguments that need __branred', () => {
    for (const v of [NaN, Infinity, -Infinity]) {
      expect(glibcSin(v)).toBeNaN();
      expect(glibcCos(v)).toBeNaN();
    }
    expect(() => glibcSin(105414336)).toThrow(/__branred/);
    expect(() => glibcCos(-1e300)).toThrow(/__branred/);
  });
});

describe('makeMoons matches scikit-learn 1.9 make_moons bit for bit', () => {
  for (const call of fixture.moons) {
    it(JSON.stringify(call.kwargs), () => {
      const { X, y } = makeMoons(call.kwargs as MakeMoonsOptions);
      expect(y).toEqual(call.y);
      expect(X.every((row) => row.length === 2)).toBe(true);
      expect(mismatches(X.flat(), doubles(call.X))).toEqual([]);
    });
  }

  it('draws from a given RandomState and advances it', () => {
    const call = fixture.moons.find((c) => JSON.stringify(c.kwargs) === '{"n_samples":200,"noise":0.2,"random_state":0}')!;
    const rs = new RandomState(0);
    expect(makeMoons({ n_samples: 200, noise: 0.2, random_state: rs }).X.flat()).toEqual(doubles(call.X));
    expect(rs.randomSample()).not.toBe(new RandomState(0).randomSample());
  });

  it("rejects what sklearn rejects, with sklearn's messages", () => {
    expect(() => makeMoons({ n_samples: 0 })).toThrow("The 'n_samples' parameter of make_moons must be an int in the range [1, inf) or an instance of 'tuple'. Got 0 instead.");
    expect(() => makeMoons({ n_samples: 2.5 })).toThrow(/n_samples/);
    expect(() => makeMoons({ n_samples: [1, 2, 3] as unknown as [number, number] })).toThrow('`n_samples` can be either an int or a two-element tuple.');
    expect(() => makeMoons({ n_samples: [3, -1] })).toThrow('Number of samples, -1, must be non-negative.');
    expect(() => makeMoons({ noise: -0.1 })).toThrow("The 'noise' parameter of make_moons must be a float in the range [0.0, inf) or None. Got -0.1 instead.");
  });
});

describe('makeCircles matches scikit-learn 1.9 make_circles bit for bit', () => {
  for (const call of fixture.circles) {
    it(JSON.stringify(call.kwargs), () => {
      const { X, y } = makeCircles(call.kwargs as MakeCirclesOptions);
      expect(y).toEqual(call.y);
      expect(mismatches(X.flat(), doubles(call.X))).toEqual([]);
    });
  }

  it("rejects what sklearn rejects, with sklearn's messages", () => {
    expect(() => makeCircles({ factor: 1 })).toThrow("The 'factor' parameter of make_circles must be a float in the range [0.0, 1.0). Got 1 instead.");
    expect(() => makeCircles({ n_samples: -1 })).toThrow(/range \[0, inf\)/);
    expect(() => makeCircles({ n_samples: [4] as unknown as [number, number] })).toThrow('When a tuple, n_samples must have exactly two elements.');
  });
});

describe('every size from 1 to 600 (no shuffle, no noise) hashes like NumPy', () => {
  // One SHA-256 over the little-endian float64 bytes of each X in turn: 360,600 points per
  // generator, i.e. every linspace value and its cos and sin.
  const [from, to] = fixture.sweeps.n_samples;
  const digest = (make: (n: number) => { X: number[][] }): string => {
    const hash = createHash('sha256');
    for (let n = from; n <= to; n++) hash.update(new Uint8Array(Float64Array.from(make(n).X.flat()).buffer));
    return hash.digest('hex');
  };

  it('make_moons', () => expect(digest((n) => makeMoons({ n_samples: n, shuffle: false }))).toBe(fixture.sweeps.moons));
  it('make_circles', () => expect(digest((n) => makeCircles({ n_samples: n, shuffle: false }))).toBe(fixture.sweeps.circles));
  it('make_circles, factor 0.3', () => {
    expect(digest((n) => makeCircles({ n_samples: n, shuffle: false, factor: 0.3 }))).toBe(fixture.sweeps['circles_factor_0.3']);
  });
});

describe('trainTestSplit takes the indices scikit-learn 1.9 train_test_split takes', () => {
  for (const call of fixture.splits) {
    it(`n=${call.n} ${JSON.stringify(call.kwargs).slice(0, 80)}`, () => {
      expect(trainTestSplitIndices(call.n, call.kwargs as TrainTestSplitOptions)).toEqual({ train: call.train, test: call.test });
    });
  }

  it("splits a dataset's rows and labels by those indices", () => {
    // sklearn's docstring: train_test_split(arange(10).reshape(5, 2), range(5), test_size=0.33, random_state=42)
    const dataset = { X: [0, 2, 4, 6, 8].map((v) => [v, v + 1]), y: [0, 1, 2, 3, 4] };
    const { train, test } = trainTestSplit(dataset, { test_size: 0.33, random_state: 42 });
    expect(train).toEqual({ X: [[4, 5], [0, 1], [6, 7]], y: [2, 0, 3] });
    expect(test).toEqual({ X: [[2, 3], [8, 9]], y: [1, 4] });
  });

  it("rejects sizes sklearn rejects, with sklearn's messages", () => {
    expect(() => trainTestSplitIndices(10, { test_size: 10 })).toThrow(
      'test_size=10 should be either positive and smaller than the number of samples 10 or a float in the (0, 1) range',
    );
    expect(() => trainTestSplitIndices(10, { train_size: 1.5 })).toThrow(/^train_size=1.5 should be/);
    expect(() => trainTestSplitIndices(10, { test_size: 0.6, train_size: 0.5 })).toThrow('The sum of test_size and train_size = 1.1, should be in the (0, 1) range.');
    expect(() => trainTestSplitIndices(10, { test_size: 6, train_size: 5 })).toThrow('The sum of train_size and test_size = 11, should be smaller than the number of samples 10.');
    expect(() => trainTestSplitIndices(1, {})).toThrow('With n_samples=1, test_size=0.25 and train_size=None, the resulting train set will be empty.');
    expect(() => trainTestSplitIndices(4, { stratify: [0, 0, 1, 1], shuffle: false })).toThrow('not implemented for shuffle=False');
    expect(() => trainTestSplitIndices(4, { stratify: [0, 0, 0, 1] })).toThrow(/least populated class in y has only 1 member/);
  });
});

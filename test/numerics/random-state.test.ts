import { describe, expect, it } from 'vitest';
import { RandomState, type Seed } from '../../src/numerics/random-state.ts';
import fixture from '../fixtures/numpy-random-state.json' with { type: 'json' };

/** Hex float64 bit patterns (as the fixture stores doubles) to numbers. */
function doubles(hex: string[]): number[] {
  const view = new DataView(new ArrayBuffer(8));
  return hex.map((h) => {
    view.setBigUint64(0, BigInt(`0x${h}`));
    return view.getFloat64(0);
  });
}

/** Asserts bit-for-bit equality (Object.is tells -0 from 0). */
function expectBits(actual: ArrayLike<number>, hex: string[]): void {
  const expected = doubles(hex);
  expect(actual.length).toBe(expected.length);
  const mismatches = expected.flatMap((e, i) => (Object.is(actual[i], e) ? [] : [`[${i}] ${actual[i]} !== ${e}`]));
  expect(mismatches).toEqual([]);
}

describe('RandomState matches NumPy legacy RandomState', () => {
  for (const s of fixture.streams) {
    it(`seed ${JSON.stringify(s.seed).slice(0, 40)}`, () => {
      const rs = new RandomState(s.seed as Seed);
      expectBits(Array.from({ length: 5 }, () => rs.randomSample()), s.random_sample);
      expectBits(rs.normal(0, 1, 7), s.normal);
      expectBits([rs.normal(), rs.normal(2.5, 0.5)], s.normal_after);
      expectBits(rs.normal([1.5, -2.0, 1e3], 0.25, [3, 3]), s.normal_loc);
      expectBits(rs.normal(-1.0, [0.5, 2.0], [2, 2]), s.normal_scale);
      expectBits(rs.uniform(-10, 10, [4, 2]), s.uniform);
      expectBits([rs.uniform(), rs.uniform(3, 4)], s.uniform_scalar);
      expect([
        rs.randint(10),
        rs.randint(-5, 5),
        rs.randint(0, 2 ** 32),
        rs.randint(0, 2 ** 32 + 1),
        rs.randint(-(10 ** 12), 10 ** 12),
        rs.randint(7, 8),
        rs.randint(0, 2 ** 53),
      ]).toEqual(s.randint);
      expect(rs.randint(3, 1000, 6)).toEqual(s.randint_size);
      for (const [n, expected] of [[11, s.shuffle11], [300, s.shuffle300]] as const) {
        const a = Array.from({ length: n }, (_, i) => i);
        rs.shuffle(a);
        expect(a).toEqual(expected);
      }
      expectBits(Array.from({ length: 3 }, () => rs.randomSample()), s.after);
    });
  }

  it('gauss() caches the second value of each pair, and reseeding drops it', () => {
    const a = new RandomState(9);
    const pair = [a.gauss(), a.gauss()];
    const b = new RandomState(9);
    expect(Array.from(b.normal(0, 1, 2))).toEqual(pair);
    a.gauss(); // leaves a cached value
    a.seed(9);
    expect(a.gauss()).toBe(pair[0]);
  });

  it('shuffles typed arrays the same way as plain arrays', () => {
    const plain = Array.from({ length: 50 }, (_, i) => i);
    const typed = Int32Array.from(plain);
    new RandomState(4).shuffle(plain);
    new RandomState(4).shuffle(typed);
    expect(Array.from(typed)).toEqual(plain);
  });

  it('normal(loc, scale, size, out) fills out as normal(loc, scale, size) returns', () => {
    const out = new Float64Array(12);
    const slice = out.subarray(2, 11); // 9 values: an odd count leaves a cached normal
    expect(new RandomState(8).normal([1, -2, 3], 0.5, [3, 3], slice)).toBe(slice);
    const a = new RandomState(8);
    const expected = a.normal([1, -2, 3], 0.5, [3, 3]);
    expect(Array.from(slice)).toEqual(Array.from(expected));
    expect([out[0], out[1], out[11]]).toEqual([0, 0, 0]);
    const b = new RandomState(8);
    b.normal([1, -2, 3], 0.5, [3, 3], new Float64Array(9));
    expect(b.normal()).toBe(a.normal()); // the cached value carries over the same way
    expect(() => new RandomState(8).normal(0, 1, [2, 3], new Float64Array(5))).toThrow('out has 5 elements, the size 6');
  });

  it('shuffleDraws gives the swaps of shuffle, in chunks of any size, consuming the same words', () => {
    const n = 5000; // crosses several powers of two, so several masks
    const reference = Array.from({ length: n }, (_, i) => i);
    const rs = new RandomState(21);
    rs.shuffle(reference);
    const next = rs.randomSample();
    for (const chunk of [1, 7, 4096, n]) {
      const draws = new RandomState(21);
      const x = Array.from({ length: n }, (_, i) => i);
      const partners = new Int32Array(chunk);
      for (let i = n - 1; i > 0; ) {
        const count = draws.shuffleDraws(i, partners);
        expect(count).toBe(Math.min(chunk, i));
        for (let k = 0; k < count; k++, i--) [x[i], x[partners[k]]] = [x[partners[k]], x[i]];
      }
      expect(x).toEqual(reference);
      expect(draws.randomSample()).toBe(next);
    }
    expect(new RandomState(1).shuffleDraws(0, new Int32Array(4))).toBe(0);
    expect(() => new RandomState(1).shuffleDraws(2 ** 31, new Int32Array(4))).toThrow('below 2^31');
  });

  it("rejects seeds as NumPy's _legacy_seeding does", () => {
    expect(() => new RandomState(-1)).toThrow('Seed must be between 0 and 2**32 - 1');
    expect(() => new RandomState(2 ** 32)).toThrow('Seed must be between 0 and 2**32 - 1');
    expect(() => new RandomState([1, 2 ** 32])).toThrow('Seed must be between 0 and 2**32 - 1');
    expect(() => new RandomState(1.5)).toThrow(TypeError);
    expect(() => new RandomState([])).toThrow('Seed must be non-empty');
    expect(() => new RandomState([[1, 2]] as unknown as number[])).toThrow('Seed array must be 1-d');
  });

  it("rejects bad arguments with NumPy's messages", () => {
    const rs = new RandomState(0);
    expect(() => rs.normal(0, -1)).toThrow('scale < 0');
    expect(() => rs.normal(0, -0)).toThrow('scale < 0');
    expect(() => rs.normal([1, 2, 3], 1, [4, 2])).toThrow('shape mismatch');
    expect(() => rs.uniform(-Infinity, 0)).toThrow('Range exceeds valid bounds');
    expect(() => rs.randint(0)).toThrow('high <= 0');
    expect(() => rs.randint(5, 5)).toThrow('low >= high');
    // A rejected call draws nothing: the stream is where a fresh generator's is.
    expect(rs.randomSample()).toBe(new RandomState(0).randomSample());
  });
});

import { describe, expect, it } from 'vitest';
import { MT19937 } from '../../src/numerics/mt19937.ts';
import { RandomState } from '../../src/numerics/random-state.ts';

/** The reference genrand_int32 (mt19937ar.c), one word at a time, on a copy of a seeded state. */
function referenceWords(state: Uint32Array, count: number): number[] {
  const mt = Uint32Array.from(state);
  const words: number[] = [];
  let mti = 624;
  while (words.length < count) {
    if (mti === 624) {
      for (let kk = 0; kk < 624; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % 624] & 0x7fffffff);
        mt[kk] = mt[(kk + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      mti = 0;
    }
    let y = mt[mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    words.push(y >>> 0);
  }
  return words;
}

describe('MT19937', () => {
  it('gives the reference outputs (5489: the first is 3499211612, the 10000th 4123659995)', () => {
    const mt = new MT19937();
    const words = Array.from({ length: 10000 }, () => mt.nextUint32());
    expect(words[0]).toBe(3499211612);
    expect(words[9999]).toBe(4123659995);
  });

  it('twists and tempers as the reference algorithm does, block after block, for integer and array seeds', () => {
    const seeded: MT19937[] = [0, 1, 123, 0xffffffff].map((s) => new MT19937(s));
    const byArray = new MT19937();
    byArray.initByArray([0x123, 0x234, 0x345, 0x456]);
    seeded.push(byArray);
    for (const mt of seeded) {
      const expected = referenceWords(mt.state, 624 * 50 + 7);
      expect(Array.from({ length: expected.length }, () => mt.nextUint32())).toEqual(expected);
    }
  });

  it('keeps separate generators separate', () => {
    const a = new MT19937(1);
    const b = new MT19937(1);
    const first = a.nextUint32();
    new MT19937(2).refill();
    expect(b.nextUint32()).toBe(first);
  });

  it("draws in bulk (normals(), in WebAssembly) the normals gauss() draws one by one (glibcLog in TypeScript)", () => {
    for (const seed of [0, 5, 2 ** 31]) {
      const bulk = new RandomState(seed).normal(0, 1, 200_001);
      const one = new RandomState(seed);
      const mismatches: string[] = [];
      for (let i = 0; i < bulk.length; i++) {
        const value = one.normal();
        if (!Object.is(bulk[i], value)) mismatches.push(`seed ${seed} [${i}]: ${bulk[i]} !== ${value}`);
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
    }
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DenseParams } from '../../src/data.ts';
import { linearBiasBound, linearInit, linearStackInit, linearWeightBound } from '../../src/numerics/linear-init.ts';
import { MT19937 } from '../../src/numerics/mt19937.ts';
import { TorchGenerator, fmaF32, torchSeedToUint64 } from '../../src/numerics/torch-generator.ts';

interface LinearInitFixture {
  torch_seed: number;
  in: number;
  out: number;
  weight: number[];
  bias: number[];
}
/** PyTorch 2.11 reference values (copied from shared/reference/perceptron-torch.json). */
const torchRef = JSON.parse(readFileSync(new URL('../fixtures/linear-inits.json', import.meta.url), 'utf8')) as {
  linear_inits: LinearInitFixture[];
  train: { torch_seed: number; layers: number[]; init: number[][] };
};
/** Raw MT19937 words and Python-double bounds, generated with NumPy and Python (see its `about`). */
const numpyRef = JSON.parse(readFileSync(new URL('../fixtures/torch-generator-numpy.json', import.meta.url), 'utf8')) as {
  streams: { seed: number; words: number[] }[];
  bounds: { fan_in: number; weight: number; bias: number }[];
};

const flatten = (p: DenseParams): number[] => [...p.weight.flat(), ...p.bias];
const draw = (gen: { random(): number } | MT19937, n: number): number[] =>
  Array.from({ length: n }, () => ('random' in gen ? gen.random() : gen.nextUint32()));

// ---- Exact arithmetic, independent of the implementation: a value is m * 2^e (m a BigInt). ----
type Exact = [m: bigint, e: number];

function exact(v: number): Exact {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  return biased === 0 ? [sign * fraction, -1074] : [sign * (fraction | (1n << 52n)), biased - 1075];
}
const mul = ([m1, e1]: Exact, [m2, e2]: Exact): Exact => [m1 * m2, e1 + e2];
function add([m1, e1]: Exact, [m2, e2]: Exact): Exact {
  const e = Math.min(e1, e2);
  return [(m1 << BigInt(e1 - e)) + (m2 << BigInt(e2 - e)), e];
}
const neg = ([m, e]: Exact): Exact => [-m, e];

/** The float32 nearest to m * 2^e, ties to even (within float32's finite range). */
function toFloat32([m, e]: Exact): number {
  if (m === 0n) return 0;
  const magnitude = m < 0n ? -m : m;
  const msb = e + magnitude.toString(2).length - 1;
  const lsb = Math.max(msb - 23, -149); // 24 significant bits, or the subnormal grid
  let q: bigint;
  if (lsb <= e) {
    q = magnitude << BigInt(e - lsb);
  } else {
    const shift = BigInt(lsb - e);
    q = magnitude >> shift;
    const rest = magnitude - (q << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  }
  const v = Number(q) * 2 ** lsb;
  return m < 0n ? -v : v;
}
const exactFma = (a: number, b: number, c: number): number => toFloat32(add(mul(exact(a), exact(b)), exact(c)));

/** uniform_'s formula evaluated exactly, rounding once (fused) or after the product and after the sum. */
function exactUniform(words: number[], from: number, to: number, fused: boolean): number[] {
  const lo = toFloat32(exact(from));
  const hi = toFloat32(exact(to));
  const range = exact(toFloat32(add(exact(hi), neg(exact(lo)))));
  return words.map((word) => {
    const product = mul([BigInt(word & 0xffffff), -24], range);
    const value = fused
      ? toFloat32(add(product, exact(lo)))
      : toFloat32(add(exact(toFloat32(product)), exact(lo)));
    return value === hi ? lo : value;
  });
}

const float32Bits = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0];

describe('nn.Linear initialisation against PyTorch 2.11 (fixtures)', () => {
  it.each(torchRef.linear_inits)('seed $torch_seed, Linear($in, $out): every value identical', (ref) => {
    const params = linearInit(new TorchGenerator(ref.torch_seed), ref.in, ref.out);
    expect(params.weight).toHaveLength(ref.out);
    for (const row of params.weight) expect(row).toHaveLength(ref.in);
    expect(params.weight.flat()).toEqual(ref.weight);
    expect(params.bias).toEqual(ref.bias);
  });

  it('the train entry: torch.manual_seed then one Linear per layer pair', () => {
    const { torch_seed, layers, init } = torchRef.train;
    const stack = linearStackInit(torch_seed, layers);
    expect(stack.flatMap((p) => [p.weight.flat(), p.bias])).toEqual(init);
  });

  it('seeds that agree in their low 32 bits give the fixtures too (2^32 + 2, 2^64 - 2^32 + 2, -(2^32) + 2)', () => {
    for (const ref of torchRef.linear_inits) {
      const s = BigInt(ref.torch_seed);
      for (const alias of [s + (1n << 32n), s + (1n << 64n) - (1n << 32n), s - (1n << 32n)]) {
        expect(flatten(linearInit(new TorchGenerator(alias), ref.in, ref.out))).toEqual([...ref.weight, ...ref.bias]);
      }
    }
  });

  it('the seed post printed other values: the same words with the product rounded before the add', () => {
    // The post's print(w1.item(), w2.item(), b1.item()) after torch.manual_seed(2); Model(2, 1),
    // run on a PyTorch build and CPU of its own.
    const printed = [0.16220331192016602, -0.1682732105255127, 0.19390898942947388];
    const ref = torchRef.linear_inits.find((r) => r.torch_seed === 2 && r.in === 2 && r.out === 1)!;
    const fixture = [...ref.weight, ...ref.bias];
    for (const v of printed) expect(Math.fround(v)).toBe(v); // float32 values, printed as doubles
    // Not the fixture's values: 1, 1 and 2 float32 steps away.
    expect(printed.map((v, i) => Math.abs(float32Bits(v) - float32Bits(fixture[i])))).toEqual([1, 1, 2]);
    // Exactly what the unfused evaluation of the same formula on the same words gives.
    const unfused = linearInit(new TorchGenerator(2, { fusedMultiplyAdd: false }), 2, 1);
    expect(flatten(unfused)).toEqual(printed);
  });
});

describe('TorchGenerator seeding and raw stream (NumPy MT19937 fixture)', () => {
  it.each(numpyRef.streams)('seed $seed: the 32-bit words equal RandomState(seed) raw output', ({ seed, words }) => {
    expect(draw(new TorchGenerator(seed), words.length)).toEqual(words);
  });

  it('a uint64 or negative seed reaches the engine as its low 32 bits', () => {
    for (const { seed, words } of numpyRef.streams) {
      const s = BigInt(seed);
      const aliases: bigint[] = [s + (1n << 32n), s + (7n << 40n), s + (1n << 63n), s + (1n << 64n) - (1n << 32n)];
      if (s > 0n) aliases.push(s - (1n << 32n)); // negative: two's complement keeps the low bits
      for (const alias of aliases) expect(draw(new TorchGenerator(alias), 64)).toEqual(words.slice(0, 64));
    }
    // A number above 2^32 works like the same BigInt.
    expect(draw(new TorchGenerator(2 ** 32 + 42), 8)).toEqual(numpyRef.streams.find((s) => s.seed === 42)!.words.slice(0, 8));
  });

  it('initialSeed is the uint64 torch.initial_seed() reports; out-of-range seeds throw', () => {
    expect(new TorchGenerator(2).initialSeed).toBe(2n);
    expect(new TorchGenerator(-1).initialSeed).toBe((1n << 64n) - 1n);
    expect(new TorchGenerator(-(1n << 63n)).initialSeed).toBe(1n << 63n);
    expect(new TorchGenerator((1n << 64n) - 1n).initialSeed).toBe((1n << 64n) - 1n);
    expect(() => torchSeedToUint64(1n << 64n)).toThrow(RangeError);
    expect(() => torchSeedToUint64(-(1n << 63n) - 1n)).toThrow(RangeError);
    expect(() => torchSeedToUint64(1.5)).toThrow(RangeError);
    expect(() => torchSeedToUint64(Number.NaN)).toThrow(RangeError);
  });
});

describe('uniform_ on float32 against exact rational arithmetic', () => {
  const cases: [from: number, to: number][] = [
    [-linearWeightBound(3), linearWeightBound(3)],
    [-linearBiasBound(7), linearBiasBound(7)],
    [-linearWeightBound(1000003), linearWeightBound(1000003)],
    [-123.456, 123.456],
    [0, 1],
    [-3, 7],
    [1000, 1000.001], // narrow: some values round up to `to` and come back as `from`
    [1e-20, 1], // from far below the range: the double sum is inexact (round-to-odd path)
    [1e-3, 5e4],
    [-2.5e6, -2.4e6],
  ];

  it.each(cases)('uniform_(%d, %d) over 4000 words, fused and unfused', (from, to) => {
    const seed = 2 ** 32 + 12345;
    const words = draw(new MT19937(12345), 4000);
    const fused = new TorchGenerator(seed).uniform(4000, from, to);
    const unfused = new TorchGenerator(seed, { fusedMultiplyAdd: false }).uniform(4000, from, to);
    expect(fused).toEqual(exactUniform(words, from, to, true));
    expect(unfused).toEqual(exactUniform(words, from, to, false));
    const lo = Math.fround(from);
    const hi = Math.fround(to);
    for (const v of fused) {
      expect(Math.fround(v)).toBe(v);
      expect(v >= lo && v < hi).toBe(true);
    }
  });

  it('fused and unfused evaluations differ on many words for symmetric bounds, so the checks tell them apart', () => {
    const [from, to] = cases[0];
    const fused = new TorchGenerator(1).uniform(4000, from, to);
    const unfused = new TorchGenerator(1, { fusedMultiplyAdd: false }).uniform(4000, from, to);
    expect(fused.filter((v, i) => v !== unfused[i]).length).toBeGreaterThan(1000);
  });

  it('a value that rounds up to `to` is returned as `from`', () => {
    // range = 2^-23: 1 + x * 2^-23 rounds to 1 + 2^-23 = to for x > 1/2.
    expect(new TorchGenerator(5).uniform(1000, 1, 1 + 2 ** -23)).toEqual(new Array(1000).fill(1));
  });

  it('draws one word per element and checks its bounds as PyTorch does', () => {
    const gen = new TorchGenerator(9);
    gen.uniform(10, -1, 1);
    expect(gen.random()).toBe(draw(new MT19937(9), 11)[10]);
    expect(new TorchGenerator(9).uniform(0, 0, 0)).toEqual([]);
    expect(() => gen.uniform(1, 1, 0)).toThrow(RangeError);
    expect(() => gen.uniform(1, Number.NaN, 1)).toThrow(RangeError);
    expect(() => gen.uniform(1, -3.4e38, 3.4e38)).toThrow(RangeError);
    expect(() => gen.uniform(1, 0, 1e39)).toThrow(RangeError);
    expect(() => gen.uniform(-1, 0, 1)).toThrow(RangeError);
  });
});

describe('fmaF32', () => {
  it('matches the exactly rounded a*b + c for random float32 operands of mixed magnitudes', () => {
    const rng = new MT19937(2024);
    const f32 = (exponent: number): number => {
      const mantissa = 1 + (rng.nextUint32() & 0x7fffff) / 2 ** 23;
      return (rng.nextUint32() & 1 ? -1 : 1) * mantissa * 2 ** exponent;
    };
    const span = (n: number): number => (rng.nextUint32() % (2 * n + 1)) - n;
    for (let i = 0; i < 20000; i++) {
      const ea = span(30);
      const eb = span(30);
      const [a, b, c] = [f32(ea), f32(eb), f32(ea + eb + span(40))];
      expect(fmaF32(a, b, c)).toBe(exactFma(a, b, c));
    }
  });

  it('is right where rounding a*b + c in double first lands on a float32 tie', () => {
    // a*b = 2^-14 - 2^-44; c + a*b rounds (in double) to the midpoint c + 2^-14, whose
    // tie goes up, but the exact sum lies below it.
    const down: [number, number, number] = [1 + 2 ** -15, 2 ** -14 * (1 - 2 ** -15), 2 ** 10 + 2 ** -13];
    // a*b = 2^-24 + 2^-60; 1 + a*b rounds to the midpoint 1 + 2^-24, whose tie goes down.
    const up: [number, number, number] = [2 ** -24 * (1 + 2 ** -12), 1 - 2 ** -12 + 2 ** -24, 1];
    for (const [a, b, c] of [down, up]) {
      for (const v of [a, b, c]) expect(Math.fround(v)).toBe(v);
      expect(fmaF32(a, b, c)).toBe(exactFma(a, b, c));
      expect(Math.fround(a * b + c)).not.toBe(exactFma(a, b, c));
    }
    expect(fmaF32(...down)).toBe(2 ** 10 + 2 ** -13);
    expect(fmaF32(...up)).toBe(1 + 2 ** -23);
  });
});

describe('linearInit on other seeds and shapes', () => {
  it('bounds equal the Python doubles', () => {
    for (const { fan_in, weight, bias } of numpyRef.bounds) {
      expect(linearWeightBound(fan_in)).toBe(weight);
      expect(linearBiasBound(fan_in)).toBe(bias);
    }
    expect(linearBiasBound(0)).toBe(0);
  });

  const seeds: bigint[] = [0n, 7n, 2n ** 31n + 5n, 2n ** 32n + 9n, -3n, 2n ** 63n, 2n ** 64n - 1n];
  const shapes: [inF: number, outF: number][] = [[1, 1], [5, 3], [17, 4], [784, 2], [4, 9]];
  it.each(seeds)('seed %s: weight then bias from consecutive words, exactly', (seed) => {
    for (const [inF, outF] of shapes) {
      const engine = new MT19937(Number(BigInt.asUintN(32, seed)));
      const wb = linearWeightBound(inF);
      const bb = linearBiasBound(inF);
      const expected = [...exactUniform(draw(engine, inF * outF), -wb, wb, true), ...exactUniform(draw(engine, outF), -bb, bb, true)];
      const gen = new TorchGenerator(seed);
      const params = linearInit(gen, inF, outF);
      expect(params.weight.map((r) => r.length)).toEqual(new Array(outF).fill(inF));
      expect(flatten(params)).toEqual(expected);
      expect(gen.random()).toBe(engine.nextUint32()); // nothing else drawn
    }
  });

  it('a stack carries one generator from layer to layer', () => {
    const gen = new TorchGenerator(2n ** 32n + 1n);
    const manual = [linearInit(gen, 3, 5), linearInit(gen, 5, 2), linearInit(gen, 2, 1)];
    expect(linearStackInit(2n ** 32n + 1n, [3, 5, 2, 1])).toEqual(manual);
    expect(linearStackInit(1, [4])).toEqual([]);
  });

  it('empty layers: no weight draws; fan_in 0 gives a +0 bias that still uses words', () => {
    const gen = new TorchGenerator(11);
    const engine = new MT19937(11);
    const noInputs = linearInit(gen, 0, 3);
    expect(noInputs.weight).toEqual([[], [], []]);
    expect(noInputs.bias.every((v) => Object.is(v, 0))).toBe(true);
    draw(engine, 3);
    expect(linearInit(gen, 3, 0)).toEqual({ weight: [], bias: [] });
    expect(gen.random()).toBe(engine.nextUint32());
    expect(() => linearInit(gen, -1, 2)).toThrow(RangeError);
    expect(() => linearInit(gen, 2, 1.5)).toThrow(RangeError);
  });
});

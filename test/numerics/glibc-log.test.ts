import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fma } from '../../src/numerics/fma.ts';
import { glibcLog } from '../../src/numerics/glibc-log.ts';

/** A fixture of little-endian float64 records, `width` doubles each. */
function records(name: string, width: number): Float64Array[] {
  const bytes = readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
  const all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return Array.from({ length: all.length / width }, (_, i) => all.subarray(i * width, (i + 1) * width));
}

const hex = (v: number): string => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
};

describe('glibcLog reproduces glibc 2.36 log (x86-64, __log_fma) bit for bit', () => {
  // x, then glibc's log(x): inputs where V8's Math.log differs, where glibc is not
  // correctly rounded, where the fused roundings change the result, where the fast
  // path falls back to full fma emulation (main and near-1), and edge inputs.
  const cases = records('glibc-log.bin', 2);

  it(`matches all ${cases.length} hard inputs`, () => {
    const mismatches = cases.filter(([x, y]) => !Object.is(glibcLog(x), y)).map(([x, y]) => `${hex(x)}: ${hex(glibcLog(x))} != ${hex(y)}`);
    expect(mismatches).toEqual([]);
  });

  it('is a fixture where Math.log would not do', () => {
    const differ = cases.filter(([x, y]) => !Object.is(Math.log(x), y)).length;
    expect(differ).toBeGreaterThan(800);
  });

  it('matches glibc where the fast path changed: above 2^996, exact tails far from 1 and near it', () => {
    // x, glibc's log(x), from the C program of test/fixtures/README.md: inputs at and
    // above 2^996 (scaled by 2^-52 before the table path), inputs with |k| >= 16 whose
    // exact tail is taken (lo's own fma is unfused on the fast path), and r^2 draws
    // whose exact tail is taken under the tighter certificate, on both paths.
    const pairs = [
      ['7e30000000000000', '408592ff2a01625a'],
      ['7e2fffffffffffff', '408592ff2a01625a'],
      ['7e30000000000001', '408592ff2a01625a'],
      ['7fefffffffffffff', '40862e42fefa39ef'],
      ['7e73c083126e978d', '4085aadcdeac3fa3'],
      ['3ddd0024f55a8110', 'c036f8e72f0f4af4'],
      ['2e8646279ea11925', 'c06821d4d44905b5'],
      ['3e2cbf7b50a54a94', 'c03383ea052c69c0'],
      ['412645e5c654ba39', '402b004c9ed1c8b5'],
      ['3948c95ea183718e', 'c0526ea87d973530'],
      ['2d72ff4d9a4231b2', 'c0699ffed7302159'],
      ['3fe75680178b0147', 'bfd433bbeabd40a3'],
      ['3fe6a0553c6a4e08', 'bfd62f11f0f4a620'],
      ['3fee407ac00d6440', 'bfacc3563ec4b9ce'],
      ['3fe44442ca1cd51b', 'bfdd3b8c4264f6d8'],
      ['3fee4dde3425884b', 'bfabe0f025636342'],
      ['3fef1ef3affda6fa', 'bf9c864ee0a2a9ab'],
      ['3fee40dad9186a0d', 'bfacbcfbdebca21f'],
      ['3fe59e55fefe8ef9', 'bfd919955a2f164a'],
    ];
    const view = new DataView(new ArrayBuffer(8));
    const double = (h: string): number => {
      view.setBigUint64(0, BigInt(`0x${h}`));
      return view.getFloat64(0);
    };
    const mismatches = pairs.filter(([x, y]) => !Object.is(glibcLog(double(x)), double(y))).map(([x, y]) => `${x}: ${hex(glibcLog(double(x)))} != ${y}`);
    expect(mismatches).toEqual([]);
  });

  it('returns what glibc returns outside the positive finite range', () => {
    expect(glibcLog(0)).toBe(-Infinity);
    expect(glibcLog(-0)).toBe(-Infinity);
    expect(glibcLog(-1)).toBeNaN();
    expect(glibcLog(NaN)).toBeNaN();
    expect(glibcLog(Infinity)).toBe(Infinity);
    expect(Object.is(glibcLog(1), 0)).toBe(true);
  });
});

describe('fma is correctly rounded', () => {
  // a, b, c, then the hardware's fma(a, b, c): cases where a * b + c rounds
  // differently, exact midpoints decided either way, and random triples.
  const cases = records('fma.bin', 4);

  it(`matches the hardware on all ${cases.length} triples`, () => {
    const mismatches = cases.filter(([a, b, c, r]) => !Object.is(fma(a, b, c), r)).map(([a, b, c, r]) => `fma(${a}, ${b}, ${c}) = ${fma(a, b, c)}, not ${r}`);
    expect(mismatches).toEqual([]);
  });

  it('differs from a * b + c where one rounding matters', () => {
    expect(fma(1 + 2 ** -30, 1 - 2 ** -30, -1)).toBe(-(2 ** -60));
    expect((1 + 2 ** -30) * (1 - 2 ** -30) - 1).toBe(0);
    expect(Object.is(fma(-0, 1, -0), -0)).toBe(true);
  });
});

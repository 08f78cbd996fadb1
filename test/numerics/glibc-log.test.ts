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

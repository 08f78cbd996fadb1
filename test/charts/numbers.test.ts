import { describe, expect, it } from 'vitest';
import { label, paddedDomain, span, tidy } from '../../src/charts/numbers.ts';

describe('tidy', () => {
  it('keeps 6 significant digits and survives a JSON round trip unchanged', () => {
    expect(tidy(0.1 + 0.2)).toBe(0.3);
    expect(tidy(123.456789)).toBe(123.457);
    const x = tidy(Math.PI / 7);
    expect(JSON.parse(JSON.stringify(x))).toBe(x);
  });
  it('writes −0 as 0, which JSON would do anyway', () => {
    expect(Object.is(tidy(-0), 0)).toBe(true);
    expect(Object.is(tidy(-1e-300), 0)).toBe(false); // tiny but representable: kept
  });
  it('refuses NaN and infinities, which JSON would turn into null', () => {
    expect(() => tidy(Number.NaN)).toThrow(/finite/);
    expect(() => tidy(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });
});

describe('paddedDomain', () => {
  it('pads the range by 10% either side', () => expect(paddedDomain([0, 2, 1])).toEqual([-0.2, 2.2]));
  it('pads a single value by 1 and an empty list to [-1, 1]', () => {
    expect(paddedDomain([3, 3])).toEqual([2, 4]);
    expect(paddedDomain([])).toEqual([-1, 1]);
  });
});

describe('label', () => {
  it('uses 4 significant digits and a true minus sign', () => {
    expect(label(-1.42844)).toBe('−1.428');
    expect(label(0.1939)).toBe('0.1939');
  });
});

describe('span', () => {
  it('finds the range of a list too long to spread into Math.min', () => {
    const values = Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 300_001);
    expect(span(values)).toEqual([0, 300_000]);
  });
});

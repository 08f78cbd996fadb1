import { describe, expect, it } from 'vitest';
import { makeBlobs, makeBlobsFlat, type MakeBlobsOptions } from '../../src/numerics/make-blobs.ts';
import { RandomState } from '../../src/numerics/random-state.ts';
import reference from '../fixtures/blobs.json' with { type: 'json' };
import numpy from '../fixtures/numpy-random-state.json' with { type: 'json' };

function doubles(hex: string[]): number[] {
  const view = new DataView(new ArrayBuffer(8));
  return hex.map((h) => {
    view.setBigUint64(0, BigInt(`0x${h}`));
    return view.getFloat64(0);
  });
}

describe('makeBlobs matches scikit-learn make_blobs bit for bit', () => {
  for (const call of reference.calls) {
    it(`sklearn reference: ${JSON.stringify(call.kwargs)}`, () => {
      const { X, y } = makeBlobs(call.kwargs as MakeBlobsOptions);
      expect(y).toEqual(call.y);
      expect(X.length).toBe(call.X.length);
      // toEqual uses Object.is per number: exact float64 equality.
      expect(X).toEqual(call.X);
    });
  }

  it("prints the seed's first five points", () => {
    const { X, y } = makeBlobs(reference.calls[0].kwargs as MakeBlobsOptions);
    expect(X.slice(0, 5).map((row) => row.map((v) => v.toFixed(4)))).toEqual([
      ['-0.1372', '-0.0715'],
      ['0.8044', '-0.3706'],
      ['-0.6022', '-0.6194'],
      ['0.5709', '-0.5120'],
      ['0.0064', '0.1533'],
    ]);
    expect(y.slice(0, 5)).toEqual([0, 1, 0, 1, 0]);
  });

  for (const call of numpy.blobs) {
    it(`NumPy re-run of make_blobs: ${JSON.stringify(call.kwargs)}`, () => {
      const options = call.kwargs as MakeBlobsOptions;
      const { X, y } = makeBlobs(options);
      const [n, nFeatures] = call.shape;
      expect(y).toEqual(call.y);
      expect(X.length).toBe(n);
      expect(X.every((row) => row.length === nFeatures)).toBe(true);
      expect(X.flat()).toEqual(doubles(call.X));
      const flat = makeBlobsFlat(options);
      expect(Array.from(flat.X)).toEqual(doubles(call.X));
      expect(Array.from(flat.y)).toEqual(call.y);
      expect(flat.nFeatures).toBe(nFeatures);
    });
  }

  it('draws from a given RandomState and advances it', () => {
    const rs = new RandomState(123);
    const { X } = makeBlobs({ ...(reference.calls[0].kwargs as MakeBlobsOptions), random_state: rs });
    expect(X).toEqual(reference.calls[0].X);
    expect(rs.randomSample()).not.toBe(new RandomState(123).randomSample());
  });

  it("is sklearn's draws and X[p], y[p] for p = permutation(n), and leaves the generator where sklearn does", () => {
    for (const [nFeatures, shuffle] of [[2, true], [3, true], [2, false]] as const) {
      const rs = new RandomState(31);
      const flat = makeBlobsFlat({ n_samples: 777, n_features: nFeatures, centers: 4, random_state: rs, shuffle });
      const ref = new RandomState(31);
      const centers = ref.uniform(-10, 10, [4, nFeatures]);
      const X: number[][] = [];
      const y: number[] = [];
      [195, 194, 194, 194].forEach((count, c) => {
        const values = ref.normal(centers.subarray(c * nFeatures, (c + 1) * nFeatures), 1, [count, nFeatures]);
        for (let i = 0; i < count; i++) X.push(Array.from(values.subarray(i * nFeatures, (i + 1) * nFeatures)));
        for (let i = 0; i < count; i++) y.push(c);
      });
      const p = Array.from({ length: 777 }, (_, i) => i);
      if (shuffle) ref.shuffle(p);
      expect(Array.from(flat.X)).toEqual(p.flatMap((j) => X[j]));
      expect(Array.from(flat.y)).toEqual(p.map((j) => y[j]));
      const next = ref.randomSample();
      expect(rs.randomSample()).toBe(next);
      const rowsFrom = new RandomState(31);
      const rows = makeBlobs({ n_samples: 777, n_features: nFeatures, centers: 4, random_state: rowsFrom, shuffle });
      expect(rows).toEqual({ X: p.map((j) => X[j]), y: p.map((j) => y[j]) });
      expect(rowsFrom.randomSample()).toBe(next);
    }
  });

  it("rejects sklearn's invalid combinations with its messages", () => {
    expect(() => makeBlobs({ n_samples: [10, 10], centers: [[0, 0]] })).toThrow(
      'Length of `n_samples` not consistent with number of centers',
    );
    expect(() => makeBlobs({ n_samples: [10, 10], centers: 2 })).toThrow('Parameter `centers` must be array-like. Got 2 instead');
    expect(() => makeBlobs({ centers: 2, cluster_std: [1, 2, 3] })).toThrow(
      'Length of `clusters_std` not consistent with number of centers',
    );
    expect(() => makeBlobs({ n_samples: 0 })).toThrow("The 'n_samples' parameter of make_blobs must be an int in the range [1, inf)");
    expect(() => makeBlobs({ n_features: 0 })).toThrow("The 'n_features' parameter of make_blobs must be an int in the range [1, inf)");
    expect(() => makeBlobs({ centers: 0 })).toThrow("The 'centers' parameter of make_blobs must be an int in the range [1, inf)");
    expect(() => makeBlobs({ cluster_std: -1 })).toThrow("The 'cluster_std' parameter of make_blobs must be a float in the range [0.0, inf)");
    expect(() => makeBlobs({ centers: [[0, 0], [1]] })).toThrow('2-D');
    expect(() => makeBlobs({ centers: [] })).toThrow('Found array with 0 sample(s)');
    expect(() => makeBlobs({ centers: 2, cluster_std: [1, -1], random_state: 0 })).toThrow('scale < 0');
  });
});

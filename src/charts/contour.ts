/** The isoline of a probability grid at one level, by marching squares over the grid's sample points. */

/** A probability surface sampled on a grid: `probability[j][i]` is P(class 1) at (`x1[i]`, `x2[j]`), as meshgrid lays it out. */
export interface ProbabilityGrid {
  /** Ascending x₁ sample positions (cell centres), at least 2. */
  x1: number[];
  /** Ascending x₂ sample positions (cell centres), at least 2. */
  x2: number[];
  /** One row per x₂ value, one column per x₁ value. */
  probability: number[][];
}

/** A straight piece of an isoline between two points of the plane. */
export interface Segment {
  from: [number, number];
  to: [number, number];
}

/** Throws unless the grid is at least 2×2, ascending, and its probability rows match `x2` × `x1`. */
export function checkGrid({ x1, x2, probability }: ProbabilityGrid): void {
  for (const [name, axis] of [['x1', x1], ['x2', x2]] as const) {
    if (axis.length < 2) throw new RangeError(`grid.${name} needs at least 2 positions`);
    if (axis.some((v, i) => i > 0 && !(v > axis[i - 1]))) throw new RangeError(`grid.${name} must be strictly ascending`);
  }
  if (probability.length !== x2.length || probability.some((row) => row.length !== x1.length)) {
    throw new RangeError(`grid.probability must have ${x2.length} rows (one per x2) of ${x1.length} values (one per x1)`);
  }
}

/**
 * The segments of the isoline p = `level`, linearly interpolated along the edges between sample
 * points. Saddle squares are resolved by the mean of their four corners.
 */
export function isoline(grid: ProbabilityGrid, level: number): Segment[] {
  const { x1, x2, probability: p } = grid;
  const segments: Segment[] = [];
  for (let j = 0; j + 1 < x2.length; j++) {
    for (let i = 0; i + 1 < x1.length; i++) {
      // Corners counter-clockwise from bottom-left; edge k joins corner k to corner k+1.
      const corners: [number, number, number][] = [
        [x1[i], x2[j], p[j][i]],
        [x1[i + 1], x2[j], p[j][i + 1]],
        [x1[i + 1], x2[j + 1], p[j + 1][i + 1]],
        [x1[i], x2[j + 1], p[j + 1][i]],
      ];
      const above = corners.map((c) => c[2] >= level);
      const cross = corners.map((a, k): [number, number] | undefined => {
        const b = corners[(k + 1) % 4];
        if (above[k] === above[(k + 1) % 4]) return undefined;
        const t = (level - a[2]) / (b[2] - a[2]);
        return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
      });
      const hits = cross.filter((c) => c !== undefined);
      if (hits.length === 2) segments.push({ from: hits[0], to: hits[1] });
      if (hits.length === 4) {
        const centreAbove = corners.reduce((s, c) => s + c[2], 0) / 4 >= level;
        const [e0, e1, e2, e3] = cross as [number, number][];
        // If the centre sides with corners 0 and 2, cut off corners 1 and 3; otherwise corners 0 and 2.
        const pairs = centreAbove === above[0] ? [[e0, e1], [e2, e3]] : [[e3, e0], [e1, e2]];
        for (const [from, to] of pairs) segments.push({ from, to });
      }
    }
  }
  return segments;
}

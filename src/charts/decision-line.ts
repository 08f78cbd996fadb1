/**
 * A single-layer model's decision line w₁·x₁ + w₂·x₂ + b = 0 over the data scatter, and the
 * geometry that places it: over the data's x₁ range, clipped to the plot's x₂ range.
 */
import type { Spec } from 'vega';
import type { Dataset, DenseParams } from '../data.ts';
import { label, tidy } from './numbers.ts';
import { dataRange, planeDomain, planeSpec, type TestPoint } from './plane.ts';
import { LINE_COLOUR, type ChartTitle } from './theme.ts';

const LINE_NAME = 'decision line';

/** Where the decision line is drawn, or why it is not. */
export type DecisionLine =
  | { kind: 'segment'; from: [number, number]; to: [number, number] }
  | { kind: 'none'; reason: string };

/** Options of `decisionLineSpec`: title, subtitle, and named points to mark. */
export interface DecisionLineOptions extends ChartTitle {
  points?: TestPoint[];
}

/**
 * The segment of w₁·x₁ + w₂·x₂ + b = 0 drawn over x₁ ∈ `x1Range` and clipped to x₂ ∈ `x2Range`.
 * When w₂ = 0 the line is vertical, x₁ = −b/w₁, drawn over `x2Range` if x₁ lies in `x1Range`;
 * when w₁ = w₂ = 0 there is no line.
 */
export function decisionLine(
  [w1, w2]: [number, number],
  b: number,
  [xLo, xHi]: [number, number],
  [yLo, yHi]: [number, number],
): DecisionLine {
  const outside = { kind: 'none', reason: 'the decision line lies outside the plot' } as const;
  if (w1 === 0 && w2 === 0) {
    return { kind: 'none', reason: 'no decision line: p = σ(b) everywhere' };
  }
  if (w2 === 0) {
    const x = -b / w1;
    return x >= xLo && x <= xHi ? { kind: 'segment', from: [x, yLo], to: [x, yHi] } : outside;
  }
  const at = (x: number): number => (w1 * x + b) / -w2;
  let from = xLo;
  let to = xHi;
  if (w1 === 0) {
    if (at(0) < yLo || at(0) > yHi) return outside;
  } else {
    // x₁ where the line crosses the bottom and top of the plot, in increasing order.
    const [a, c] = [(-w2 * yLo - b) / w1, (-w2 * yHi - b) / w1].sort((p, q) => p - q);
    from = Math.max(from, a);
    to = Math.min(to, c);
    if (from > to) return outside;
  }
  const clamp = (y: number): number => Math.min(yHi, Math.max(yLo, y));
  return { kind: 'segment', from: [from, clamp(at(from))], to: [to, clamp(at(to))] };
}

/** Throws unless `params` is one dense layer from 2 inputs to 1 output. */
function singleUnit(params: DenseParams): { w: [number, number]; b: number } {
  const [row] = params.weight;
  if (params.weight.length !== 1 || row.length !== 2 || params.bias.length !== 1) {
    throw new RangeError('a decision line needs a Linear(2, 1) layer: weight 1×2 and bias of length 1');
  }
  return { w: [row[0], row[1]], b: params.bias[0] };
}

/** The scatter of `dataset` with the decision line of `params` (a Linear(2, 1) layer) and the test points. */
export function decisionLineSpec(dataset: Dataset, params: DenseParams, opts: DecisionLineOptions): Spec {
  const { w, b } = singleUnit(params);
  const domain = planeDomain(dataset, opts.points);
  const line = decisionLine(w, b, dataRange(dataset), domain.x2);
  const weights = `w = (${label(w[0])}, ${label(w[1])}), b = ${label(b)}`;
  if (line.kind === 'none') return planeSpec(dataset, domain, opts, { notes: [weights, line.reason] });
  return planeSpec(dataset, domain, opts, {
    notes: [weights],
    lines: [LINE_NAME],
    data: [
      {
        name: 'line',
        values: [line.from, line.to].map(([x1, x2]) => ({ x1: tidy(x1), x2: tidy(x2) })),
      },
    ],
    over: [
      {
        type: 'line',
        from: { data: 'line' },
        encode: {
          update: {
            x: { scale: 'x', field: 'x1' },
            y: { scale: 'y', field: 'x2' },
            stroke: { value: LINE_COLOUR },
            strokeWidth: { value: 2 },
          },
        },
      },
    ],
  });
}

import { describe, expect, it } from 'vitest';
import type { Spec } from 'vega';
import { decisionLine, decisionLineSpec } from '../../src/charts/decision-line.ts';
import { renderSvg } from '../../src/charts/render.ts';
import { markGroups, texts } from '../helpers/svg.ts';

/** Data spread over x₁ ∈ [−1, 1], x₂ ∈ [−1, 1]: the plot's x₂ range is [−1.2, 1.2]. */
const square = { X: [[-1, -1], [1, 1], [-1, 1], [1, -1]], y: [0, 1, 0, 1] };

function lineData(spec: Spec): unknown {
  return spec.data?.find((d) => d.name === 'line');
}

describe('decisionLine', () => {
  it('w = (1, −1), b = 0 gives x₂ = x₁ over the data range', () => {
    expect(decisionLine([1, -1], 0, [-1, 1], [-1.2, 1.2])).toEqual({ kind: 'segment', from: [-1, -1], to: [1, 1] });
  });

  it('clips a steep line to the plot range', () => {
    // x₂ = 4·x₁ leaves [−1.2, 1.2] at x₁ = ±0.3.
    const line = decisionLine([4, -1], 0, [-1, 1], [-1.2, 1.2]);
    expect(line.kind).toBe('segment');
    if (line.kind !== 'segment') return;
    expect(line.from[0]).toBeCloseTo(-0.3, 12);
    expect(line.to).toEqual([0.3, 1.2]);
  });

  it('draws a horizontal line (w₁ = 0) across the data range', () => {
    expect(decisionLine([0, 2], -1, [-1, 1], [-1.2, 1.2])).toEqual({ kind: 'segment', from: [-1, 0.5], to: [1, 0.5] });
  });

  it('draws w₂ = 0 as the vertical line x₁ = −b/w₁ over the plot height', () => {
    expect(decisionLine([2, 0], -1, [-1, 1], [-1.2, 1.2])).toEqual({ kind: 'segment', from: [0.5, -1.2], to: [0.5, 1.2] });
  });

  it('has no line when w = 0, and none when the line misses the plot', () => {
    expect(decisionLine([0, 0], 0.3, [-1, 1], [-1.2, 1.2])).toMatchObject({ kind: 'none', reason: expect.stringMatching(/no decision line/) });
    expect(decisionLine([1, -1], 5, [-1, 1], [-1.2, 1.2])).toMatchObject({ kind: 'none', reason: expect.stringMatching(/outside/) });
    expect(decisionLine([1, 0], -3, [-1, 1], [-1.2, 1.2])).toMatchObject({ kind: 'none' });
    expect(decisionLine([0, 1], -3, [-1, 1], [-1.2, 1.2])).toMatchObject({ kind: 'none' });
  });
});

describe('decisionLineSpec', () => {
  it('puts the endpoints of x₂ = x₁ in the spec data for w = (1, −1), b = 0', () => {
    const spec = decisionLineSpec(square, { weight: [[1, -1]], bias: [0] }, { title: 'Line' });
    expect(lineData(spec)).toEqual({ name: 'line', values: [{ x1: -1, x2: -1 }, { x1: 1, x2: 1 }] });
  });

  it('renders the line with its legend entry, the weights in the subtitle and the test points', async () => {
    const points = [
      { name: '(1, −1)', point: [1, -1] as [number, number], probability: 0.942 },
      { name: '(−1, 1)', point: [-1, 1] as [number, number], probability: 0.051 },
    ];
    const spec = decisionLineSpec(square, { weight: [[1.4356, -1.4284]], bias: [-0.0688] }, { title: 'Trained', points });
    const svg = await renderSvg(spec);
    expect(markGroups(svg, 'mark-line role-mark')).toHaveLength(1);
    expect(texts(svg)).toEqual(
      expect.arrayContaining([
        'Trained',
        'w = (1.436, −1.428), b = −0.0688',
        'x₁',
        'x₂',
        'decision line',
        'class 0',
        'class 1',
        'test points',
        '(1, −1)  p = 0.942',
        '(−1, 1)  p = 0.051',
      ]),
    );
  });

  it('draws a vertical line when w₂ = 0', () => {
    const spec = decisionLineSpec(square, { weight: [[2, 0]], bias: [-1] }, { title: 'Vertical' });
    expect(lineData(spec)).toEqual({ name: 'line', values: [{ x1: 0.5, x2: -1.2 }, { x1: 0.5, x2: 1.2 }] });
  });

  it('draws no line when w = 0 and says so under the title', async () => {
    const spec = decisionLineSpec(square, { weight: [[0, 0]], bias: [0.3] }, { title: 'Untrained' });
    expect(lineData(spec)).toBeUndefined();
    const svg = await renderSvg(spec);
    expect(markGroups(svg, 'mark-line role-mark')).toHaveLength(0);
    expect(texts(svg)).toEqual(expect.arrayContaining(['w = (0, 0), b = 0.3', 'no decision line: p = σ(b) everywhere']));
  });

  it('needs a Linear(2, 1) layer', () => {
    expect(() => decisionLineSpec(square, { weight: [[1, 2], [3, 4]], bias: [0, 0] }, { title: 't' })).toThrow(/Linear\(2, 1\)/);
  });
});

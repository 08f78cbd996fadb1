/** Helpers for reading Vega's SVG output in tests, and a small known dataset. */
import type { Dataset } from '../../src/data.ts';

/** The text content of every `<text>` element (multi-line text has one `<tspan>` per line). */
export function texts(svg: string): string[] {
  return [...svg.matchAll(/<(?:text|tspan)\b[^>]*>([^<]*)(?=<)/g)].map((m) => m[1]).filter((t) => t !== '');
}

/** The inner markup of each group of the given mark class, e.g. `mark-symbol role-mark`. */
export function markGroups(svg: string, cls: string): string[] {
  return [...svg.matchAll(new RegExp(`<g class="${cls}"[^>]*>(.*?)</g>`, 'g'))].map((m) => m[1]);
}

/** The `fill` of each `<path>` in `markup`, in document order. */
export function pathFills(markup: string): string[] {
  return [...markup.matchAll(/<path\b[^>]*\bfill="([^"]*)"/g)].map((m) => m[1]);
}

/** Three points: two of class 0, one of class 1. */
export const threePoints: Dataset = { X: [[0, 0], [1, 1], [2, 0]], y: [0, 0, 1] };

/** Reading a report's HTML back in tests. */
import type { Spec } from 'vega';

/** The chart specs a page carries. */
export function chartSpecs(page: string): Spec[] {
  const json = /<script type="application\/json" id="rxlab-charts">(.*?)<\/script>/s.exec(page)?.[1];
  if (json === undefined) throw new Error('no chart specs in the page');
  return JSON.parse(json) as Spec[];
}

/** The indexes of the page's chart figures, in document order. */
export function figureIndexes(page: string): number[] {
  return [...page.matchAll(/<figure class="chart" data-chart="(\d+)">/g)].map((m) => Number(m[1]));
}

/** Every `src`/`href` value in the page's markup (outside its scripts). */
export function references(page: string): string[] {
  const markup = page.replace(/<script\b[^>]*>.*?<\/script>/gs, '');
  return [...markup.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
}

/** A section of the page by its id, as markup. */
export function section(page: string, id: string): string {
  const found = [...page.matchAll(/<section id="([^"]+)">(.*?)<\/section>/gs)].find((m) => m[1] === id);
  if (!found) throw new Error(`no section ${id} in the page`);
  return found[2];
}

/** How built-in stages turn their results into artifact files. */
import { artifact, type ArtifactEvent } from '../contract/stage.ts';

/**
 * JSON text with a final newline. Numbers keep full precision: JSON.stringify writes the
 * shortest decimal that reads back as the same double (float32 values stay exact too).
 * Pretty output is indented, with lists of plain values kept on one line.
 */
export const jsonArtifact = (name: string, value: unknown, pretty = true): ArtifactEvent =>
  artifact(name, `${pretty ? prettyJson(value) : JSON.stringify(value)}\n`);

/** A JSON string cannot hold a raw newline, so `,\n` only ever separates elements. */
const prettyJson = (value: unknown): string =>
  JSON.stringify(value, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, inner: string) => `[${inner.replace(/,\n\s*/g, ', ')}]`);

/** A Vega chart as its editable spec (`chart.vg.json`) and its rendering (`chart.svg`). */
export async function chartArtifacts(spec: import('vega').Spec): Promise<ArtifactEvent[]> {
  // Loaded on first use: vega takes a while to import and most commands never draw.
  const { renderSvg, specJson } = await import('../charts/index.ts');
  return [artifact('chart.vg.json', specJson(spec)), artifact('chart.svg', await renderSvg(spec))];
}

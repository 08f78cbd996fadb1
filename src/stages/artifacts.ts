/** How the chart stages turn a Vega spec into artifacts. */
import type { Spec } from 'vega';
import { artifact, type ArtifactEvent } from '../contract/stage.ts';

/** The packages whose code draws the charts. */
export const CHART_PACKAGES = ['vega'] as const;

/** Loaded on first use: vega takes a while to import and most commands never draw. */
export const loadCharts = () => import('../charts/index.ts');

/** A Vega chart as its editable spec (`chart.vg.json`) and its rendering (`chart.svg`). */
export async function chartArtifacts(spec: Spec): Promise<ArtifactEvent[]> {
  const { renderSvg, specJson } = await loadCharts();
  return [artifact('chart.vg.json', specJson(spec)), artifact('chart.svg', await renderSvg(spec))];
}

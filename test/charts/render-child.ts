/** Run by render.test.ts in a fresh process: prints the sha256 of each small chart's SVG as JSON. */
import { createHash } from 'node:crypto';
import { renderSvg } from '../../src/charts/render.ts';
import { smallCharts } from '../helpers/charts.ts';

const hashes: Record<string, string> = {};
for (const [name, spec] of Object.entries(smallCharts())) {
  hashes[name] = createHash('sha256').update(await renderSvg(spec)).digest('hex');
}
process.stdout.write(JSON.stringify(hashes));

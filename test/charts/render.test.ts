import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Spec } from 'vega';
import { describe, expect, it } from 'vitest';
import { renderHere } from '../../src/charts/render-here.ts';
import { renderSvg, specJson } from '../../src/charts/render.ts';
import { smallCharts } from '../helpers/charts.ts';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('renderSvg', () => {
  it('gives the same bytes when rendering the same spec twice, with other charts in between', async () => {
    const { scatter, region } = smallCharts();
    const first = await renderSvg(region);
    await renderSvg(scatter);
    expect(await renderSvg(region)).toBe(first);
    expect(first).toContain('id="gradient_0"'); // Vega's id counter is reset for every render
  });

  it('gives the same bytes for concurrent renders as for one at a time', async () => {
    const { scatter, region } = smallCharts();
    const one = [await renderSvg(scatter), await renderSvg(region)];
    expect(await Promise.all([renderSvg(scatter), renderSvg(region), renderSvg(scatter), renderSvg(region)])).toEqual([...one, ...one]);
  });

  it('re-renders the saved JSON spec to the same bytes, and leaves the spec as it was', async () => {
    for (const spec of Object.values(smallCharts())) {
      const saved = specJson(spec);
      const svg = await renderSvg(spec);
      expect(specJson(spec)).toBe(saved);
      expect(await renderSvg(JSON.parse(saved))).toBe(svg);
    }
  });

  it('gives the same bytes on the calling thread as on the chart thread', async () => {
    for (const spec of Object.values(smallCharts())) expect(await renderHere(spec)).toBe(await renderSvg(spec));
  });

  it('gives the same bytes in a fresh process', async () => {
    const child = fileURLToPath(new URL('./render-child.ts', import.meta.url));
    const hashes = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8' }));
    const { scatter, region } = smallCharts();
    expect(hashes).toEqual({ scatter: sha256(await renderSvg(scatter)), region: sha256(await renderSvg(region)) });
  });

  it('rejects a spec Vega cannot parse with Vega\'s reason, and renders the next chart as usual', async () => {
    const bad: Spec = { marks: [{ type: 'symbol', from: { data: 'nope' } }] };
    await expect(renderSvg(bad)).rejects.toThrow('Vega could not render the chart: Undefined data set name: "nope"');
    expect(await renderSvg(smallCharts().scatter)).toContain('<svg');
  });

  // The bundle's chart thread is a file worker, which inherits the process's flags; from
  // the sources it is an eval worker, which accepts these. So this runs the bundle (built by
  // `npm install`), as the repro bench does.
  const bundle = fileURLToPath(new URL('../../dist/rxlab.mjs', import.meta.url));
  it.skipIf(!existsSync(bundle))('draws charts in a process run with flags a worker thread refuses (node --input-type=module -e …)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxlab-render-flags-'));
    writeFileSync(join(dir, 'p.yaml'), 'stages:\n  data: { uses: xor }\n  chart: { uses: scatter-chart, inputs: { dataset: data.dataset } }\n');
    const code = `const { main } = await import(${JSON.stringify(pathToFileURL(bundle).href)}); process.exit(await main(process.argv.slice(1)));`;
    execFileSync(process.execPath, ['--input-type=module', '-e', code, '--', 'run', 'p.yaml', '--out', 'out'], { cwd: dir, stdio: 'pipe' });
    expect(readFileSync(join(dir, 'out', 'chart', 'chart.svg'), 'utf8')).toMatch(/^<svg /);
  });

  it('renders the three-point scatter to the pinned bytes', async () => {
    // Regression guard, computed with vega 6.4.0 and no `canvas` package. Upgrading vega or changing
    // the chart may legitimately change the markup: then render the chart, look at it, and if it
    // is right, replace this hash with the new one in the same commit as the change.
    expect(sha256(await renderSvg(smallCharts().scatter))).toBe('1b189a0b5466b420496edcd3b3ffa15bb4e2617862f7c3d1edaaf43808959e89');
  });
});

describe('specJson', () => {
  it('writes 2-space JSON with a final newline', () => {
    expect(specJson({ width: 1, data: [{ name: 'a', values: [{ x: 0.3 }] }] })).toBe(
      '{\n  "width": 1,\n  "data": [\n    {\n      "name": "a",\n      "values": [\n        {\n          "x": 0.3\n        }\n      ]\n    }\n  ]\n}\n',
    );
  });
});

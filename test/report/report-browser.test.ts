/**
 * The reports in a real browser, opened from the file system as a user would. Each report is
 * opened once, and its tests run in order on that page; none leaves the page changed but the
 * last (the log-scale switch).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCompareReport, renderRunReport, renderSweepReport } from '../../src/report/index.ts';
import { axisLabels, chartsDrawn, launch, markCounts, noBrowser, problems, skipNote } from './browser.ts';
import { lrSweep, xorRun } from './fixtures.ts';

describe.skipIf(noBrowser)(`reports in Chromium${skipNote}`, () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxlab-report-'));
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Writes `html` to a file and opens it; `found` collects what goes wrong, a request to anything but a file or a data: URL included. */
  async function open(name: string, html: string): Promise<{ page: Page; found: string[] }> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const found = problems(page, (url) => url.startsWith('file:') || url.startsWith('data:'));
    await page.goto(pathToFileURL(file).href);
    await chartsDrawn(page);
    return { page, found };
  }

  const tooltip = async (page: Page): Promise<string> => {
    const element = page.locator('#vg-tooltip-element.visible');
    await element.waitFor();
    return element.innerText();
  };

  describe('run report', () => {
    const run = xorRun();
    const loss = 'figure[data-chart="1"]';
    let page: Page;
    let found: string[];
    beforeAll(async () => ({ page, found } = await open('run', renderRunReport(run))));
    afterAll(() => page?.close());

    it('draws every chart with its marks, without an error or a request', async () => {
      const counts = await markCounts(page);
      expect(counts).toHaveLength(3);
      expect(counts.every((n) => n > 0), counts.join(', ')).toBe(true);
      expect(found).toEqual([]);
    });

    it('tells the loss at a point of the loss curve', async () => {
      await page.locator(`${loss} g.hoverPoints > path`).nth(100).hover({ force: true });
      // The points overlap a little: the one on top under the pointer is epoch 100 or a neighbour.
      const [, epoch, value] = /^training\s+epoch\s+(\d+)\s+loss\s+(0\.\d+)$/.exec(await tooltip(page)) ?? [];
      expect(Math.abs(Number(epoch) - 100)).toBeLessThanOrEqual(3);
      expect(Number(value)).toBeCloseTo(run.losses!.train.train[Number(epoch)], 6);
    });

    it('zooms the loss chart in about the pointer with the wheel, and back out with a double click', async () => {
      const [before] = await axisLabels(page, loss);
      expect(before).toEqual(['0', '50', '100', '150', '200', '250']);
      const box = (await page.locator(`${loss} g.hoverPoints > path`).nth(150).boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -400);
      await expect.poll(async () => (await axisLabels(page, loss))[0]).not.toEqual(before);
      const zoomed = (await axisLabels(page, loss))[0].map(Number);
      expect(Math.min(...zoomed)).toBeGreaterThan(0);
      expect(Math.max(...zoomed)).toBeLessThan(250);
      await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
      await expect.poll(async () => (await axisLabels(page, loss))[0]).toEqual(before);
    });

    it('tells the probability at a test point of the region chart', async () => {
      // The region chart's symbol marks: the data points, then the test points' halo and outline.
      await page.locator('figure[data-chart="2"] g.mark-symbol.role-mark').nth(2).locator('path').first().hover({ force: true });
      expect(await tooltip(page)).toMatch(/point\s+\(0, 0\)\s+P\(class 1\)\s+0\.02/);
    });

    it('switches the loss chart between a log and a linear axis', async () => {
      const checkbox = page.locator(`${loss} input[type=checkbox]`);
      // The losses span more than two decades: the chart starts on a log axis.
      expect(await checkbox.isChecked()).toBe(true);
      expect((await axisLabels(page, loss))[1]).toEqual(expect.arrayContaining(['0.001', '0.01', '0.1', '1']));
      await checkbox.click();
      await page.waitForSelector(`${loss} .view[data-draws="2"]`);
      const [, linear] = await axisLabels(page, loss);
      expect(linear).toEqual(['0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7']);
      expect(await page.locator(`${loss} input[type=checkbox]`).isChecked()).toBe(false);
      expect(found).toEqual([]);
    });
  });

  describe('sweep report', () => {
    let page: Page;
    let found: string[];
    beforeAll(async () => ({ page, found } = await open('sweep', renderSweepReport(lrSweep()))));
    afterAll(() => page?.close());

    it('draws every chart with its marks, without an error or a request', async () => {
      const counts = await markCounts(page);
      expect(counts).toHaveLength(2);
      expect(counts.every((n) => n > 0), counts.join(', ')).toBe(true);
      expect(found).toEqual([]);
    });

    it('draws a line per trial with the objective, and tells a trial\'s values', async () => {
      expect(await page.locator('figure[data-chart="0"] g.trialLine > path').count()).toBe(5);
      // The last vertex of the last line drawn: the best trial's, on the objective's axis.
      await page.locator('figure[data-chart="0"] g.mark-symbol.role-mark').last().locator('path').last().hover({ force: true });
      expect(await tooltip(page)).toMatch(/^lr=1,seed=2\s+train\.optimizer\.lr\s+1\s+model\.init\.seed\s+2\s+evaluate\.accuracy\s+0\.94$/);
    });

    it('sorts the trials table by a click on a heading, trials without a value last', async () => {
      const order = () => page.$$eval('table.trials tbody tr', (rows) => rows.map((r) => r.getAttribute('data-trial')));
      expect(await order()).toEqual(['trial-001', 'trial-002', 'trial-003', 'trial-004', 'trial-005', 'trial-006']);
      await page.click('table.trials th:has-text("evaluate.accuracy")');
      expect(await order()).toEqual(['trial-001', 'trial-002', 'trial-003', 'trial-005', 'trial-006', 'trial-004']);
      await page.click('table.trials th:has-text("evaluate.accuracy")');
      expect(await order()).toEqual(['trial-006', 'trial-005', 'trial-003', 'trial-002', 'trial-001', 'trial-004']);
      expect(found).toEqual([]);
    });
  });

  it('compare report: draws every chart with its marks, without an error or a request', async () => {
    const { page, found } = await open('compare', renderCompareReport([xorRun(), xorRun({ name: 'lr=0.5', metrics: { 'evaluate.accuracy': 0.75 } })]));
    const counts = await markCounts(page);
    expect(counts).toHaveLength(7);
    expect(counts.every((n) => n > 0), counts.join(', ')).toBe(true);
    expect(found).toEqual([]);
    await page.close();
  });
});

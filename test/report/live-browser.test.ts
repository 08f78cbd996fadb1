/** The live view in a real browser, fed a synthetic run and sweep through `publish`. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLiveView, type LiveView } from '../../src/report/index.ts';
import { launch, markCounts, noBrowser, problems, skipNote } from './browser.ts';

const STAGES = [
  { id: 'data', uses: 'xor' },
  { id: 'model', uses: 'model' },
  { id: 'train', uses: 'train' },
  { id: 'loss-chart', uses: 'loss-chart' },
];
const EPOCHS = 60;
const loss = (epoch: number): number => 0.69 * Math.exp(-epoch / 15) + 0.01;

/** Epochs `from`..`to` of train's progress, as the engine emits them (epochs count from 1). */
function train(live: LiveView, from: number, to: number, trial?: string): void {
  for (let epoch = from; epoch <= to; epoch++) {
    live.publish({ type: 'progress', stage: 'train', current: epoch, total: EPOCHS, state: { loss: loss(epoch) }, ...(trial ? { trial } : {}) });
  }
}

function startRun(live: LiveView): void {
  live.publish({ type: 'run-start', pipeline: { name: 'xor-mlp', file: 'pipelines/xor-mlp.yaml' }, stages: STAGES });
  live.publish({ type: 'environment', facts: { backend: 'cpu' } });
  live.publish({ type: 'stage-cached', stage: 'data', key: {}, outputs: {}, artifacts: {} });
  live.publish({ type: 'stage-start', stage: 'model', startedAt: '2026-12-03T09:00:00.000Z', key: {} });
  live.publish({ type: 'stage-done', stage: 'model', durationMs: 12, outputs: {} });
  live.publish({ type: 'stage-start', stage: 'train', startedAt: '2026-12-03T09:00:00.100Z', key: {} });
}

describe.skipIf(noBrowser)(`the live view in Chromium${skipNote}`, () => {
  let browser: Browser;
  let live: LiveView | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    browser = await launch();
  });
  afterEach(async () => {
    // The page first: a page left open would reconnect to the closed server and say so on its console.
    await page?.close();
    await live?.close();
    page = live = undefined;
  });
  afterAll(() => browser?.close());

  async function open(view: LiveView): Promise<{ page: Page; found: string[] }> {
    const p = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const origin = new URL(view.url).origin;
    const found = problems(p, (url) => url.startsWith(origin));
    await p.goto(view.url);
    return { page: p, found };
  }

  const states = (p: Page) => p.$$eval('#stages tr', (rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-stage'), r.getAttribute('data-state')])));
  /** The loss chart's points that answer the pointer: one per epoch drawn. */
  const points = (p: Page) => p.locator('#loss g.hoverPoints > path').count();

  it('shows the stages change state and the loss curve grow while the run trains', async () => {
    live = await startLiveView({ title: 'xor-mlp' });
    startRun(live);
    const opened = await open(live);
    page = opened.page;
    await expect.poll(() => states(page!)).toEqual({ data: 'cached', model: 'done', train: 'running', 'loss-chart': 'waiting' });
    expect(await page.textContent('#facts')).toBe('backend cpu');

    train(live, 1, 10);
    await expect.poll(() => points(page!)).toBe(10);
    train(live, 11, 30);
    await expect.poll(() => points(page!)).toBe(30);
    expect(await page.textContent('#stages tr[data-stage="train"]')).toContain('30/60');
    train(live, 31, EPOCHS);
    await expect.poll(() => points(page!)).toBe(EPOCHS);

    live.publish({ type: 'stage-done', stage: 'train', durationMs: 840, outputs: {} });
    live.publish({ type: 'stage-start', stage: 'loss-chart', startedAt: '2026-12-03T09:00:01.000Z', key: {} });
    live.publish({ type: 'message', stage: 'loss-chart', text: 'drawn' });
    live.publish({ type: 'metric', stage: 'train', name: 'loss', value: loss(EPOCHS) });
    live.publish({ type: 'stage-done', stage: 'loss-chart', durationMs: 300, outputs: {} });
    live.publish({ type: 'finished', status: 'completed', durationMs: 1234 });
    await expect.poll(() => page!.textContent('#status')).toBe('completed in 1.23 s');
    expect(await states(page)).toEqual({ data: 'cached', model: 'done', train: 'done', 'loss-chart': 'done' });
    expect(await page.textContent('#log')).toBe('loss-chart: drawn\n');
    expect(await page.$$eval('#metrics tr', (rows) => rows.map((r) => r.textContent))).toEqual([`train.loss${Number(loss(EPOCHS).toPrecision(6))}`]);
    expect((await markCounts(page, '#loss')).every((n) => n > 0)).toBe(true);
    expect(opened.found).toEqual([]);
  });

  it('catches a page opened late up with everything so far, then follows the run', async () => {
    live = await startLiveView({ title: 'xor-mlp' });
    startRun(live);
    train(live, 1, 40);
    const opened = await open(live);
    page = opened.page;
    await expect.poll(() => points(page!)).toBe(40);
    expect(await states(page)).toMatchObject({ model: 'done', train: 'running' });
    train(live, 41, 45);
    await expect.poll(() => points(page!)).toBe(45);
    // The stream ends with the run; the page's one attempt to reconnect is told not to (204), quietly.
    const told = page.waitForResponse((r) => r.url().endsWith('/events') && r.status() === 204);
    live.publish({ type: 'failed', error: 'stage "train" failed: loss became NaN', stage: 'train' });
    await expect.poll(() => page!.textContent('#status')).toBe('failed: stage "train" failed: loss became NaN');
    expect(await states(page)).toMatchObject({ train: 'failed', 'loss-chart': 'waiting' });
    await told;
    expect(await page.textContent('#status')).toBe('failed: stage "train" failed: loss became NaN');
    expect(opened.found).toEqual([]);
  });

  it('turns the loss axis logarithmic once the losses span two decades, unless the user has chosen', async () => {
    live = await startLiveView({ title: 'xor-mlp' });
    startRun(live);
    const steep = (from: number, to: number) => {
      for (let epoch = from; epoch <= to; epoch++) live!.publish({ type: 'progress', stage: 'train', current: epoch, total: EPOCHS, state: { loss: 0.7 * 0.85 ** epoch } });
    };
    const opened = await open(live);
    page = opened.page;
    const checkbox = page.locator('#loss input[type=checkbox]');
    steep(1, 10);
    await expect.poll(() => points(page!)).toBe(10);
    expect(await checkbox.isChecked()).toBe(false);
    // 0.7 · 0.85³⁵ is about 0.0025: more than two decades below the first loss.
    steep(11, 35);
    await expect.poll(() => checkbox.isChecked()).toBe(true);
    expect(await points(page)).toBe(35);
    await checkbox.click();
    await expect.poll(() => checkbox.isChecked()).toBe(false);
    steep(36, 40);
    await expect.poll(() => points(page!)).toBe(40);
    expect(await checkbox.isChecked()).toBe(false);
    expect(opened.found).toEqual([]);
  });

  it('follows a sweep: a row and a curve per trial, the best marked at the end', async () => {
    live = await startLiveView({ title: 'xor-mlp sweep' });
    const trials = [
      { id: 'trial-001', name: 'lr=0.1', values: { 'train.optimizer.lr': 0.1 } },
      { id: 'trial-002', name: 'lr=1', values: { 'train.optimizer.lr': 1 } },
    ];
    live.publish({ type: 'sweep-start', pipeline: { name: 'xor-mlp', file: 'pipelines/xor-mlp.yaml' }, grid: { 'train.optimizer.lr': [0.1, 1] }, objective: { metric: 'evaluate.accuracy', direction: 'maximize' }, trials });
    live.publish({ type: 'stage-start', stage: 'data', startedAt: '2026-12-03T09:00:00.000Z', key: {} });
    live.publish({ type: 'stage-done', stage: 'data', durationMs: 5, outputs: {} });
    const opened = await open(live);
    page = opened.page;
    for (const t of trials) {
      live.publish({ type: 'trial', id: t.id, status: 'running' });
      live.publish({ type: 'stage-start', stage: 'train', startedAt: '2026-12-03T09:00:00.100Z', key: {}, trial: t.id });
    }
    train(live, 1, 20, 'trial-001');
    train(live, 1, 30, 'trial-002');
    await expect.poll(() => page!.locator('#loss g.mark-line.role-mark > path').count()).toBe(2);
    await expect.poll(() => points(page!)).toBe(50);
    live.publish({ type: 'trial', id: 'trial-001', status: 'completed', metrics: { 'evaluate.accuracy': 0.75 }, durationMs: 900 });
    live.publish({ type: 'trial', id: 'trial-002', status: 'completed', metrics: { 'evaluate.accuracy': 1 }, durationMs: 950 });
    live.publish({ type: 'finished', status: 'completed', best: 'trial-002' });
    await expect.poll(() => page!.getAttribute('#trials tr.best', 'data-trial')).toBe('trial-002');
    const rows = await page.$$eval('#trials tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((r) => [r[0], r[1], r[2], r[6]])).toEqual([
      ['trial-001', '0.1', 'completed', '0.75'],
      ['★ trial-002', '1', 'completed', '1'],
    ]);
    expect(await states(page)).toEqual({ data: 'done' });
    expect(opened.found).toEqual([]);
  });
});

/**
 * The reports and the live view as `rxlab` writes and serves them, opened in Debian's
 * Chromium (playwright-core): every run's and sweep's report.html from the file system, with
 * no console error and no request, every chart drawn; `rxlab report` writing them again and
 * setting runs side by side; `--serve` showing the loss curve grow while a run trains.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, rxlab as runRxlab } from '../helpers/cli.ts';
import { tempDir } from '../helpers/engine.ts';
import { chartsDrawn, launch, markCounts, noBrowser, problems, skipNote } from '../report/browser.ts';

/** Blobs split in two, a perceptron trained on one half with the other held out, its loss chart and decision line. */
function project(epochs: number): { dir: string; rxlab: (...args: string[]) => ReturnType<typeof runRxlab> } {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'small.yaml'),
    `name: small
stages:
  data: { uses: blobs, with: { n_samples: 60, centers: [[-0.5, 0.5], [0.5, -0.5]], cluster_std: 0.5, random_state: 3 } }
  split: { uses: split, inputs: { dataset: data.dataset }, with: { test_size: 0.3, random_state: 0 } }
  model: { uses: model, with: { layers: [2, 1], init: { seed: 2 } } }
  train:
    uses: train
    inputs: { dataset: split.train, model: model.model, validation: split.test }
    with: { optimizer: { name: sgd, lr: 0.1 }, epochs: ${epochs} }
  evaluate: { uses: evaluate, inputs: { model: train.model, dataset: split.test } }
  loss-chart: { uses: loss-chart, inputs: { history: train.history }, with: { title: "Loss (lr \${train.optimizer.lr})" } }
  fit: { uses: decision-chart, inputs: { dataset: split.test, model: train.model } }
`,
  );
  return { dir, rxlab: (...args) => runRxlab(args, { cwd: dir }) };
}

describe.skipIf(noBrowser)(`reports and the live view from the CLI, in Chromium${skipNote}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(() => browser?.close());

  /** Opens a report file; what went wrong on the page is collected, any request but for the file itself counted. */
  async function openReport(file: string): Promise<{ page: Page; found: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const url = pathToFileURL(file).href;
    const found = problems(page, (u) => u === url);
    await page.goto(url);
    await chartsDrawn(page);
    return { page, found };
  }

  it("writes every run's report.html, which works offline with every chart drawn; rxlab report writes it again, and sets runs side by side", async () => {
    const { dir, rxlab } = project(40);
    expect(rxlab('run', 'small.yaml').status).toBe(0);
    expect(rxlab('run', 'small.yaml', '--set', 'train.optimizer.lr=1').status).toBe(0);
    const [base, other] = [join(dir, 'outputs', 'small', 'report.html'), join(dir, 'outputs', 'small', 'runs', 'lr=1', 'report.html')];
    const { page, found } = await openReport(base);
    // The recorded loss chart (training and validation) and the decision line; the loss is not drawn twice.
    expect(await page.$$eval('figure[data-chart] figcaption', (f) => f.map((c) => c.textContent))).toEqual([
      'loss-chart: Loss (lr 0.1) · wheel: zoom · drag: pan · double-click: reset',
      'fit: Decision boundary',
    ]);
    expect((await markCounts(page)).every((n) => n > 0)).toBe(true);
    expect(await page.locator('figure[data-chart="0"] g.mark-line.role-mark > path').count()).toBe(2);
    expect(await page.textContent('h1')).toContain('small · base');
    expect(await page.textContent('#metrics')).toContain('train.val_loss');
    expect(found).toEqual([]);
    await page.close();

    // Written again from the record: the same bytes.
    const [before, beforeOther] = [readFileSync(base, 'utf8'), readFileSync(other, 'utf8')];
    const again = rxlab('report', 'small.yaml');
    expect(again.stdout).toMatch(/^report of run [0-9a-f]{8} \(lr=1\): outputs\/small\/runs\/lr=1\/report\.html\n$/);
    expect(readFileSync(other, 'utf8')).toBe(beforeOther);
    expect(rxlab('report', 'small.yaml', 'base').status).toBe(0);
    expect(readFileSync(base, 'utf8')).toBe(before);

    const compared = rxlab('report', 'small.yaml', 'base', 'lr=1');
    expect(compared.stdout).toMatch(/^base \([0-9a-f]{8}\), lr=1 \([0-9a-f]{8}\) side by side: outputs\/small\/compare\.html\n$/);
    const side = await openReport(join(dir, 'outputs', 'small', 'compare.html'));
    // Both runs' losses overlaid, then each recorded chart beside its counterpart.
    expect(await side.page.locator('figure[data-chart]').count()).toBe(5);
    expect((await markCounts(side.page)).every((n) => n > 0)).toBe(true);
    expect(await side.page.textContent('#params')).toContain('train.optimizer.lr');
    expect(side.found).toEqual([]);
    await side.page.close();
  });

  it("writes a sweep's report.html: params against the objective, every trial's losses, the trials; rxlab report writes it again", async () => {
    const { dir, rxlab } = project(30);
    const swept = rxlab('sweep', 'small.yaml', '--grid', 'train.optimizer.lr=0.1,1', '--jobs', '2', '--out', 'sw');
    expect(swept.stdout).toContain('report sw/report.html');
    const file = join(dir, 'sw', 'report.html');
    const { page, found } = await openReport(file);
    expect(await page.locator('figure[data-chart]').count()).toBe(2);
    expect((await markCounts(page)).every((n) => n > 0)).toBe(true);
    expect(await page.locator('#trials tbody tr').count()).toBe(2);
    expect(await page.getAttribute('#trials tr.best', 'data-trial')).toBe(JSON.parse(readFileSync(join(dir, 'sw', 'sweep.json'), 'utf8')).best);
    expect(found).toEqual([]);
    await page.close();
    const before = readFileSync(file, 'utf8');
    expect(rxlab('report', 'small.yaml', 'sw').stdout).toBe('report of the sweep in sw: sw/report.html\n');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('rxlab run --serve: a page on 127.0.0.1 shows the loss curve grow while the run trains, then how it ended', async () => {
    const { dir } = project(400000);
    const child = spawn(process.execPath, [BIN, 'run', 'small.yaml', '--serve'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const url = await new Promise<string>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /^live view: (\S+)$/m.exec(stdout);
        if (found) resolve(found[1]);
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const found = problems(page, (u) => u.startsWith(url));
    await page.goto(url);
    // The points of the loss chart that answer the pointer: they grow epoch by epoch.
    const points = () => page.locator('#loss g.hoverPoints > path').count();
    await expect.poll(points, { timeout: 30_000 }).toBeGreaterThan(0);
    const first = await points();
    await expect.poll(points, { timeout: 30_000 }).toBeGreaterThan(first);
    expect(await page.getAttribute('#stages tr[data-stage="train"]', 'data-state')).toBe('running');
    // Validation beside training: two curves.
    expect(await page.locator('#loss g.mark-line.role-mark > path').count()).toBe(2);
    child.kill('SIGINT');
    await expect.poll(() => page.textContent('#status'), { timeout: 10_000 }).toMatch(/^interrupted in [\d.]+ s$/);
    expect(await exited).toBe(1);
    expect(found).toEqual([]);
    await page.close();
  });

  it('rxlab sweep --serve: a row and a loss curve per trial, fed by the workers, the best marked at the end', async () => {
    const { dir } = project(3000);
    const child = spawn(process.execPath, [BIN, 'sweep', 'small.yaml', '--grid', 'train.optimizer.lr=0.1,1', '--jobs', '2', '--out', 'sw', '--serve'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const url = await new Promise<string>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /^live view: (\S+)$/m.exec(stdout);
        if (found) resolve(found[1]);
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const found = problems(page, (u) => u.startsWith(url));
    await page.goto(url);
    await expect.poll(() => page.locator('#loss g.mark-line.role-mark > path').count(), { timeout: 60_000 }).toBe(4); // two trials, training and validation each
    await expect.poll(() => page.getAttribute('#trials tr.best', 'data-trial'), { timeout: 60_000 }).toMatch(/^trial-00[12]$/);
    expect(await exited).toBe(0);
    const best = JSON.parse(readFileSync(join(dir, 'sw', 'sweep.json'), 'utf8')).best;
    expect(await page.getAttribute('#trials tr.best', 'data-trial')).toBe(best);
    expect(await page.$$eval('#trials tr', (rows) => rows.map((r) => r.getAttribute('data-status')))).toEqual(['completed', 'completed']);
    expect(found).toEqual([]);
    await page.close();
  });
});

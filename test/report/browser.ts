/**
 * Debian's Chromium driven by playwright-core, for the report and live-view tests. No browser
 * is ever downloaded: without /usr/bin/chromium the browser tests are skipped, saying why.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const EXECUTABLE = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export const noBrowser = existsSync(EXECUTABLE) ? undefined : `no browser at ${EXECUTABLE}; install Debian's chromium (apt-get install chromium) to run these tests`;

/** A title suffix that says why a suite is skipped. */
export const skipNote = noBrowser ? ` (skipped: ${noBrowser})` : '';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: EXECUTABLE,
    // Without the background-networking flags Chromium reaches for Google's servers at start.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * What went wrong on `page` from now on: console errors and warnings, uncaught exceptions,
 * failed requests, and any request to a URL that `allowed` refuses.
 */
export function problems(page: Page, allowed: (url: string) => boolean): string[] {
  const found: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') found.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => found.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => found.push(`request failed: ${r.url().slice(0, 100)} (${r.failure()?.errorText})`));
  page.on('request', (r) => {
    if (!allowed(r.url())) found.push(`request to ${r.url().slice(0, 100)}`);
  });
  return found;
}

/** Waits until every chart figure of the page has been drawn `draws` times (or more), or has said why it could not be. */
export async function chartsDrawn(page: Page, draws = 1): Promise<void> {
  await page.waitForFunction(
    (n) => [...document.querySelectorAll<HTMLElement>('figure[data-chart] .view')].every((v) => Number(v.dataset.draws ?? 0) >= n || v.querySelector('.chart-error')),
    draws,
  );
}

/** The number of drawn marks (SVG paths, lines and images of Vega's mark groups) in each chart figure. */
export function markCounts(page: Page, figures = 'figure[data-chart]'): Promise<number[]> {
  return page.$$eval(figures, (els) =>
    els.map((el) => el.querySelectorAll('svg g.role-mark > path, svg g.role-mark > line, svg g.role-mark > image, svg g.role-mark > g > path').length),
  );
}

/** The labels of each axis of a chart (Vega's `role-axis` groups, in order), left to right and bottom to top; Vega reuses label elements out of order. */
export function axisLabels(page: Page, figure: string): Promise<string[][]> {
  return page.$$eval(`${figure} svg g.role-axis`, (axes) =>
    axes.map((axis) => {
      const labels = [...axis.querySelectorAll('g.role-axis-label text')].map((t) => ({ text: t.textContent ?? '', box: t.getBoundingClientRect() }));
      const spread = (key: 'left' | 'top') => Math.max(...labels.map((l) => l.box[key])) - Math.min(...labels.map((l) => l.box[key]));
      const vertical = spread('top') > spread('left');
      return labels.sort((a, b) => (vertical ? b.box.bottom - a.box.bottom : a.box.left - b.box.left)).map((l) => l.text);
    }),
  );
}

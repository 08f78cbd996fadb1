import { describe, expect, it } from 'vitest';
import { lossCurveSpec } from '../../src/charts/loss.ts';
import { renderCompareReport, renderRunReport, renderSweepReport } from '../../src/report/index.ts';
import type { InteractiveMeta } from '../../src/charts/interactive.ts';
import { decay, lrSweep, xorRun } from './fixtures.ts';
import { chartSpecs, figureIndexes, references, section } from '../helpers/report-page.ts';

const isInteractive = (spec: object): boolean => Boolean((spec as { usermeta?: Partial<InteractiveMeta> }).usermeta?.logScaleToggle);

describe('every report page', () => {
  const pages = { run: renderRunReport(xorRun()), sweep: renderSweepReport(lrSweep()), compare: renderCompareReport([xorRun(), xorRun({ name: 'lr=0.5' })]) };

  it.each(Object.entries(pages))('%s: references nothing outside itself, and its policy forbids any request', (_, page) => {
    expect(references(page).every((r) => r.startsWith('data:'))).toBe(true);
    expect(page).toContain(`connect-src 'none'`);
    expect(page).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    // Vega and the page code are inline.
    expect(page).toContain('.vega={}');
    expect(page.match(/<script>/g)).toHaveLength(2);
  });

  it.each(Object.entries(pages))('%s: has a figure for each chart spec it carries, in order', (_, page) => {
    const specs = chartSpecs(page);
    expect(specs.length).toBeGreaterThan(0);
    expect(figureIndexes(page)).toEqual(specs.map((_, i) => i));
  });
});

describe('renderRunReport', () => {
  const run = xorRun();
  const page = renderRunReport(run);

  it('shows the status, the lock check, the metrics with their direction, and when and from what commit it ran', () => {
    expect(page).toMatch(/<h1>xor-mlp · base <span class="badge status-completed">completed<\/span><span class="badge status-drift">drift<\/span><\/h1>/);
    expect(page).toContain('<b>commit</b> <code>eb61bb0a1c2d</code>');
    expect(page).toContain('2026-12-03 08:31:27 UTC');
    expect(page).toContain('1.15 s');
    const metrics = section(page, 'metrics');
    expect(metrics).toMatch(/<code>evaluate\.accuracy<\/code><\/td><td class="num" data-sort="1">1<\/td><td>↑ maximize<\/td>/);
    expect(metrics).toContain('↓ minimize');
  });

  it('lists the stages with status, time and reason, and the check rows', () => {
    expect(section(page, 'stages')).toContain('<td><code>train</code></td><td>train</td><td><span class="badge status-completed">completed</span></td><td class="num" data-sort="670">0.67 s</td><td>params changed: optimizer.lr 0.5 → 1</td>');
    expect(section(page, 'stages')).toContain('status-cached');
    const check = section(page, 'check');
    expect(check).toContain('1 same, 1 changed');
    expect(check).toContain('loss[41] differs by 3.1e-7');
  });

  it('lists every param by stage and dot path, highlighting the overridden ones', () => {
    const params = section(renderRunReport(xorRun({ overrides: ['train.optimizer.lr=1'] })), 'params');
    expect(params).toContain('<tr class="overridden"><td><code>train</code></td><td><code>optimizer.lr</code></td><td><code>1</code></td></tr>');
    expect(params).toContain('<tr><td><code>model</code></td><td><code>layers</code></td><td><code>[2,4,1]</code></td></tr>');
    expect(params).toContain('<code>init.seed</code>');
  });

  it('escapes what the record says', () => {
    const hostile = renderRunReport(xorRun({ name: '<img src=x onerror=alert(1)>', status: 'failed', error: 'stage "train" failed: </script><script>alert(1)</script>' }));
    expect(hostile).not.toContain('<img src=x');
    expect(hostile).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(section(hostile, 'error')).toContain('stage &quot;train&quot; failed: &lt;/script&gt;');
    // Inside the JSON of the chart specs, a title that closes the element is defused too.
    const titled = renderRunReport(xorRun({ losses: undefined, charts: [{ stage: 's', title: 't', spec: lossCurveSpec([1, 0.5], { title: '</script><b>x</b>' }) }] }));
    expect(titled).not.toContain('</script><b>x</b>');
    expect(JSON.stringify(chartSpecs(titled)[0])).toContain('</script><b>x</b>');
  });

  it('carries the recorded charts, the loss chart made interactive and the others as recorded', () => {
    const specs = chartSpecs(page);
    // The loss chart already draws train's curve: no second drawing of it.
    expect(specs).toHaveLength(3);
    expect(specs.map(isInteractive)).toEqual([false, true, false]);
    expect(specs[0]).toEqual(JSON.parse(JSON.stringify(run.charts[0].spec)));
    expect(specs[2]).toEqual(JSON.parse(JSON.stringify(run.charts[2].spec)));
  });

  it('adds a loss chart for a training stage whose curve no recorded chart draws, with its validation loss', () => {
    const train = decay(50, 0.05);
    const specs = chartSpecs(renderRunReport(xorRun({ charts: [], losses: { train: { train, validation: train.map((l) => l + 0.1) } } })));
    expect(specs).toHaveLength(1);
    expect(isInteractive(specs[0])).toBe(true);
    const rows = (specs[0].data?.[0] as { values: { series: string }[] }).values;
    expect(rows.filter((r) => r.series === 'validation')).toHaveLength(50);
  });
});

describe('renderSweepReport', () => {
  const sweep = lrSweep();
  const page = renderSweepReport(sweep);

  it('names the best trial with its objective, and counts the trials by status', () => {
    expect(section(page, 'best')).toContain('★ <code>trial-006</code> <b>lr=1,seed=2</b> with <code>evaluate.accuracy</code> = 0.94');
    expect(page).toContain('<b>trials</b> 6 (5 completed, 1 failed)');
    expect(page).toContain('<b>objective</b> <code>evaluate.accuracy</code> ↑ maximize');
  });

  it('has a sortable trials table: params, status, the objective first, final loss, error; the best row highlighted', () => {
    const trials = section(page, 'trials');
    expect(trials).toContain('<table class="trials sortable">');
    expect(trials).toMatch(/<th>trial<\/th><th>train\.optimizer\.lr<\/th><th>model\.init\.seed<\/th><th>status<\/th><th>evaluate\.accuracy ↑<\/th><th>final loss<\/th><th>time<\/th><th>error<\/th>/);
    expect(trials.match(/<tr data-trial="[^"]+" class="best">/g)).toEqual(['<tr data-trial="trial-006" class="best">']);
    expect(trials).toContain('loss became NaN at epoch 2');
  });

  it('draws the params against the objective, one line per trial that has it, and every trial\'s losses with the best one thick', () => {
    const [parallel, losses] = chartSpecs(page);
    const lines = (parallel.data?.find((d) => d.name === 'rows') as { values: { trial: string; best: boolean }[] }).values;
    expect(lines.map((l) => l.trial)).toEqual(['lr=0.01,seed=1', 'lr=0.01,seed=2', 'lr=0.1,seed=1', 'lr=1,seed=1', 'lr=1,seed=2']);
    expect(lines.at(-1)?.best).toBe(true);
    expect(parallel.axes?.map((a) => a.title)).toEqual(['lr', 'seed', 'accuracy']);
    expect(isInteractive(losses)).toBe(true);
    expect(losses.title).toMatchObject({ text: 'Training and validation loss per trial', subtitle: expect.arrayContaining(['thick line: lr=1,seed=2']) });
  });

  it('without an objective, sets the params against the metrics every finished trial reports', () => {
    const { objective: _, best: __, ...plain } = lrSweep();
    const [parallel] = chartSpecs(renderSweepReport(plain));
    expect(parallel.axes?.map((a) => a.title)).toEqual(['lr', 'seed', 'accuracy']);
    expect(renderSweepReport(plain)).toContain('<b>objective</b> none given');
  });
});

describe('renderCompareReport', () => {
  const base = xorRun();
  const other = xorRun({ name: 'lr=0.5', overrides: ['train.optimizer.lr=0.5'], metrics: { 'evaluate.accuracy': 0.75, 'train.loss': 0.001 }, params: { ...base.params, train: { optimizer: { name: 'sgd', lr: 0.5 }, epochs: 300 } } });
  const page = renderCompareReport([base, other]);

  it('puts the runs in columns with each metric\'s change from the first, coloured by its direction', () => {
    const summary = section(page, 'summary');
    expect(summary).toContain('<th></th><th>base</th><th>lr=0.5</th>');
    expect(summary).toContain('0.75 <span class="worse">(−0.25)</span>');
    expect(summary).toMatch(/<span class="better">\(−0\.00\d+\)<\/span>/);
  });

  it('lists the params that differ, and all of them folded away', () => {
    const params = section(page, 'params');
    const differing = params.split('<details>')[0];
    expect(differing.match(/<tr><th><code>/g)).toHaveLength(1);
    expect(differing).toContain('<th><code>train.optimizer.lr</code></th><td><code>1</code></td><td><code>0.5</code></td>');
    expect(params.split('<details>')[1]).toContain('model.init.seed');
  });

  it('overlays the runs\' losses and puts each recorded chart beside its counterpart', () => {
    const specs = chartSpecs(page);
    expect(specs).toHaveLength(1 + 3 * 2);
    expect((specs[0].data?.[0] as { values: { run: string }[] }).values.some((r) => r.run === 'lr=0.5')).toBe(true);
    expect(section(page, 'charts').match(/<div class="charts row">/g)).toHaveLength(3);
  });

  it('tells apart two runs of the same name, and needs at least one run', () => {
    expect(section(renderCompareReport([base, base]), 'summary')).toContain('<th>base #1</th><th>base #2</th>');
    expect(() => renderCompareReport([])).toThrow(/at least one run/);
  });
});

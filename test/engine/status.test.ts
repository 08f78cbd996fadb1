import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPipeline } from '../../src/engine/plan/plan.ts';
import { pipelineStatus } from '../../src/engine/reuse/status.ts';
import { chain, runCached, ticker, watcher } from '../helpers/counting-stages.ts';
import { pipelineOf, tempDir } from '../helpers/engine.ts';

const table = (rows: { stage: string; state: string; reason?: string }[]): string[] =>
  rows.map((r) => `${r.stage}: ${r.state}${r.reason ? ` (${r.reason})` : ''}`);

describe('pipelineStatus', () => {
  it('says every stage is up to date after a run, and never run without a lock or outputs', async () => {
    const out = tempDir();
    const { lock } = await runCached(chain(), out);
    expect(table(await pipelineStatus(chain(), lock, out))).toEqual(['x: up to date', 'y: up to date', 'sum: up to date', 'total: up to date']);
    expect(table(await pipelineStatus(chain(), undefined, out))[0]).toBe('x: never run (no lock file)');
    expect(table(await pipelineStatus(chain(), lock, join(out, 'elsewhere')))[2]).toBe(`sum: never run (no outputs in ${join(out, 'elsewhere')} yet)`);
  });

  it('gives the reason for a change and marks what is downstream of it, not what is upstream', async () => {
    const out = tempDir();
    const { lock } = await runCached(chain(1), out);
    expect(table(await pipelineStatus(chain(4), lock, out))).toEqual([
      'x: changed (params changed: n 1 → 4)',
      'y: up to date',
      'sum: changed (upstream x changed)',
      'total: changed (upstream sum changed)',
    ]);
  });

  it('finds a tampered or missing file, and predicts that re-making it changes nothing downstream', async () => {
    const out = tempDir();
    const { lock } = await runCached(chain(), out);
    writeFileSync(join(out, 'x', 'value.json'), '{"n":2}\n');
    rmSync(join(out, '.rxlab', 'total'), { recursive: true });
    expect(table(await pipelineStatus(chain(), lock, out))).toEqual([
      'x: changed (artifact value.json modified)',
      'y: up to date',
      'sum: up to date',
      'total: changed (no record of what made it (.rxlab/total/record.json missing))',
    ]);
  });

  it('runs a live consumer with its producer, and a producer with a changed live consumer', async () => {
    const out = tempDir();
    const plan = (stopAt: number) =>
      planPipeline(pipelineOf({ tick: { stage: ticker, params: { count: 20 } }, watch: { stage: watcher, inputs: { ticks: 'tick.ticks' }, params: { stopAt } } }));
    const { lock } = await runCached(plan(2), out);
    expect(table(await pipelineStatus(plan(2), lock, out))).toEqual(['tick: up to date', 'watch: up to date']);
    expect(table(await pipelineStatus(plan(5), lock, out))).toEqual([
      'tick: changed (live consumer watch: params changed: stopAt 2 → 5)',
      'watch: changed (params changed: stopAt 2 → 5)',
    ]);
    rmSync(join(out, '.rxlab', 'watch'), { recursive: true });
    expect(table(await pipelineStatus(plan(2), lock, out))).toEqual([
      'tick: changed (live consumer watch: no record of what made it (.rxlab/watch/record.json missing))',
      'watch: changed (upstream tick runs and feeds live input ticks)',
    ]);
    rmSync(join(out, 'tick', 'last.json'));
    expect(table(await pipelineStatus(plan(2), lock, out))).toEqual([
      'tick: changed (artifact last.json missing)',
      'watch: changed (upstream tick runs and feeds live input ticks)',
    ]);
  });
});

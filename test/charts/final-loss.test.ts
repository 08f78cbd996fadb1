import { describe, expect, it } from 'vitest';
import { finalLossSpec, renderSvg } from '../../src/charts/index.ts';

describe('finalLossSpec', () => {
  const trials = [
    { name: 'lr=0.01', loss: 0.256 },
    { name: 'lr=0.1', loss: 0.08 },
    { name: 'lr=1e6', loss: NaN },
  ];

  it('sorts finished trials best first, names the best, leaves out failed ones', () => {
    const spec = finalLossSpec(trials, { title: 'Final loss per trial' });
    expect(spec.data).toEqual([{ name: 'trials', values: [{ trial: 'lr=0.1', loss: 0.08 }, { trial: 'lr=0.01', loss: 0.256 }] }]);
    expect(spec.title).toMatchObject({ text: 'Final loss per trial', subtitle: ['best: lr=0.1 (loss 0.08)'] });
  });

  it('renders with its title, axis titles and legend', async () => {
    const svg = await renderSvg(finalLossSpec(trials, { title: 'Final loss per trial' }));
    for (const text of ['Final loss per trial', 'final loss', 'trial', 'lr=0.1', 'lr=0.01']) expect(svg).toContain(`>${text}<`);
  });
});

import { describe, expect, it } from 'vitest';
import { objectiveSpec, renderSvg } from '../../src/charts/index.ts';

describe('objectiveSpec', () => {
  const trials = [
    { name: 'lr=0.01', value: 0.9 },
    { name: 'lr=0.1', value: 0.95 },
    { name: 'lr=1', value: 0.5 },
    { name: 'lr=1e6', value: NaN },
  ];

  it('sorts finished trials best first in the objective\'s direction, names the best, leaves out failed ones', () => {
    const max = objectiveSpec(trials, { title: 'Accuracy per trial', metric: 'evaluate.accuracy', direction: 'maximize' });
    expect(max.data).toEqual([{ name: 'trials', values: [{ trial: 'lr=0.1', value: 0.95 }, { trial: 'lr=0.01', value: 0.9 }, { trial: 'lr=1', value: 0.5 }] }]);
    expect(max.title).toMatchObject({ text: 'Accuracy per trial', subtitle: ['best: lr=0.1 (evaluate.accuracy 0.95, maximized)'] });
    const min = objectiveSpec(trials, { title: 'Loss per trial', metric: 'train.loss', direction: 'minimize' });
    expect((min.data![0] as { values: { trial: string }[] }).values.map((v) => v.trial)).toEqual(['lr=1', 'lr=0.01', 'lr=0.1']);
    expect(min.legends).toBeUndefined();
  });

  it('renders with its title and axis titles', async () => {
    const svg = await renderSvg(objectiveSpec(trials, { title: 'Accuracy per trial', metric: 'evaluate.accuracy', direction: 'maximize' }));
    for (const text of ['Accuracy per trial', 'evaluate.accuracy', 'trial', 'lr=0.1', 'lr=0.01']) expect(svg).toContain(`>${text}<`);
  });
});

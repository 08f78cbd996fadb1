/**
 * `uses: live-loss-chart` — the loss curve (and the validation loss, when training measures
 * one), redrawn from train's live epoch states every
 * `every` epochs while training runs (open `chart.svg` to watch it), and once more when
 * training ends, as `chart.svg` and `chart.vg.json`. The final chart is drawn from the
 * losses alone, so it is deterministic.
 *
 * Cost: a render runs vega's headless renderer (longer the more epochs) on the thread
 * that also trains, and training waits for it. A redraw that falls due while one is
 * still running is skipped (the final one never is), so the cost is bounded, but a
 * small `every` on a fast model slows training down noticeably.
 */
import { concat, defer, from, type Observable } from 'rxjs';
import { concatMap, exhaustMap, filter } from 'rxjs/operators';
import { artifact, defineStage, type StageEvent } from '../contract/stage.ts';
import { CHART_PACKAGES, chartArtifacts, loadCharts } from './artifacts.ts';
import { titleParams } from './params.ts';

export const liveLossChartStage = defineStage({
  name: 'live-loss-chart',
  description: 'The loss curve, redrawn every N epochs while training runs and once at the end.',
  params: {
    type: 'object',
    properties: {
      ...titleParams('Loss'),
      every: { type: 'integer', minimum: 1, default: 100, description: 'epochs between redraws while training; each redraw holds training up while it renders' },
    },
    additionalProperties: false,
  },
  inputs: { epochs: { kind: 'epoch-state', stream: true, description: "train's live epoch states (train.epochs)" } },
  packages: CHART_PACKAGES,
  run: (ctx, { epochs }) => {
    const { title, subtitle, every } = ctx.params;
    const losses: number[] = [];
    // Filled when training measures a validation loss.
    const validation: number[] = [];
    // Started now, while earlier stages run, not at the first redraw: vega takes about a
    // second to import, which would hold training up. A failure surfaces at that redraw.
    const charts = loadCharts();
    charts.catch(() => undefined);
    // While training, only the SVG: each file written costs training a few event-loop turns,
    // and the spec, much larger than the SVG, is of no use half-way.
    const draw = (snapshot: number[], held: number[], live: boolean): Observable<StageEvent> =>
      from(charts).pipe(
        concatMap(async ({ lossCurveSpec, renderSvg }) => {
          const withValidation = held.length > 0 ? { validation: held } : {};
          if (!live) return chartArtifacts(lossCurveSpec(snapshot, { title, subtitle, ...withValidation }));
          const spec = lossCurveSpec(snapshot, { title, subtitle: [subtitle ?? [], 'training…'].flat(), ...withValidation });
          return [artifact('chart.svg', await renderSvg(spec))];
        }),
        concatMap((events) => events),
      );
    const whileTraining = epochs.values.pipe(
      filter(({ loss, validationLoss }) => {
        if (validationLoss !== undefined) validation.push(validationLoss);
        return losses.push(loss) % every === 0;
      }),
      // A render still running when the next is due wins; the due one is dropped.
      exhaustMap(() => draw(losses.slice(), validation.slice(), true)),
    );
    return concat(whileTraining, defer(() => draw(losses, validation, false)));
  },
});

/**
 * Page code (runs in the browser, bundled into client-code.ts): a Vega chart in an element of
 * the page, drawn with Vega's SVG renderer and vega-tooltip's tooltips, redrawn with the
 * other axis type when its log-scale switch changes, and able to take more data as it comes.
 */
import type { Spec, View } from 'vega';
import { Handler } from 'vega-tooltip';
import type { InteractiveMeta } from '../../charts/interactive.ts';

/** Vega's browser build, inlined before this code, defines this global. */
declare const vega: typeof import('vega');

const tooltips = new Handler();

/** Inline data values of data set `name` in `spec`, created empty if the set has none. */
function valuesOf(spec: Spec, name: string): object[] {
  const data = spec.data?.find((d) => d.name === name);
  if (!data) throw new Error(`the chart has no data set ${name}`);
  const withValues = data as { values?: object[] };
  withValues.values ??= [];
  return withValues.values;
}

export class Chart {
  private view?: View;
  /** Draws and insertions, one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  private draws = 0;
  /** Counts the views made: rows added before a view is made are in its spec already. */
  private generation = 0;

  /** `onSwitch` hears of the log-scale switch being flipped (by the user: drawing it does not count). */
  constructor(
    private readonly el: HTMLElement,
    private readonly spec: Spec,
    private readonly onSwitch?: (log: boolean) => void,
  ) {}

  /** Draws the chart; `el.dataset.draws` counts the finished draws, for whoever waits on them. */
  draw(): Promise<void> {
    return this.enqueue(async () => {
      this.view?.finalize();
      this.el.replaceChildren();
      // Vega tags the data objects it ingests: it gets copies, and `spec` stays plain for the next draw.
      const view = new vega.View(vega.parse(structuredClone(this.spec)), { renderer: 'svg', container: this.el, hover: true });
      this.generation++;
      view.tooltip(tooltips.call);
      this.view = view;
      await view.runAsync();
      const toggle = (this.spec.usermeta as Partial<InteractiveMeta> | undefined)?.logScaleToggle;
      if (toggle) view.addSignalListener(toggle.signal, (_, on: boolean) => void this.switchScale(toggle.signal, toggle.scale, on));
      this.el.dataset.draws = String(++this.draws);
    });
  }

  /** Adds `rows` to data set `name`: to the spec for later draws, and to the view (unless one made since has them from the spec). */
  insert(name: string, rows: object[]): Promise<void> {
    valuesOf(this.spec, name).push(...rows);
    const generation = this.generation;
    return this.enqueue(async () => {
      if (this.view && this.generation === generation) await this.view.insert(name, rows.map((r) => ({ ...r }))).runAsync();
    });
  }

  /** Redraws with scale `scale` logarithmic or linear, its switch `signal` set to match. */
  private switchScale(signal: string, scale: string, log: boolean): Promise<void> {
    const s = this.spec.scales?.find((x) => x.name === scale);
    const bound = this.spec.signals?.find((x) => x.name === signal);
    if (!s || !bound || !('value' in bound)) throw new Error(`the chart has no scale ${scale} or signal ${signal} to switch`);
    Object.assign(s, { type: log ? 'log' : 'linear' });
    bound.value = log;
    this.onSwitch?.(log);
    return this.draw();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task);
    this.queue = next.catch((err: unknown) => this.fail(err));
    return next;
  }

  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`chart: ${message}`);
    const note = document.createElement('p');
    note.className = 'chart-error';
    note.textContent = `This chart could not be drawn: ${message}`;
    this.el.append(note);
  }
}

/** The JSON in `<script type="application/json" id="…">`. */
export function pageData<T>(id: string): T {
  return JSON.parse(document.getElementById(id)?.textContent ?? 'null') as T;
}

/**
 * What every chart shares: size, padding, white background, title block, fonts and colours.
 */
import type { Spec } from 'vega';

/** Width of every chart in pixels, including axes, legends and padding. */
export const WIDTH = 560;
/** Height of every chart in pixels, including the title block. */
export const HEIGHT = 420;

/** Fill of class 0 and class 1 points, indexed by label. */
export const CLASS_COLOURS: readonly string[] = ['#4c78a8', '#f58518'];
/** Fills of named test points in order: red-ish, dark, then more if there are more points. */
export const POINT_COLOURS: readonly string[] = ['#d62728', '#222222', '#9467bd', '#8c564b', '#17becf'];
/** Stroke of decision lines and boundaries. */
export const LINE_COLOUR = '#222222';

/** Title and optional subtitle lines shown at the top of a chart. */
export interface ChartTitle {
  title: string;
  /** One or more lines under the title; builders append their own notes (weights, caveats). */
  subtitle?: string | string[];
}

/** The subtitle lines of `title` followed by `notes`. */
export function subtitleLines(title: ChartTitle, notes: string[] = []): string[] {
  return [title.subtitle ?? []].flat().concat(notes);
}

/** The top-level frame of a chart: fixed size, padding, background, title and guide styling. */
export function frame(title: ChartTitle, notes: string[] = []): Spec {
  const subtitle = subtitleLines(title, notes);
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: WIDTH,
    height: HEIGHT,
    padding: 12,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    title: {
      text: title.title,
      ...(subtitle.length > 0 ? { subtitle } : {}),
      anchor: 'start',
      fontSize: 15,
      subtitleFontSize: 11,
      subtitleColor: '#555555',
      offset: 10,
    },
    config: {
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', grid: true, gridColor: '#eeeeee', labelOverlap: true },
      legend: { labelFontSize: 11, titleFontSize: 11, rowPadding: 4, offset: 12 },
    },
  };
}

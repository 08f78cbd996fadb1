/**
 * Where to put a test point's label so that it covers no data point, no other test point and
 * no other label. Vega's own label transform needs a canvas to see the marks, which headless
 * rendering does not have, so placement is decided here, in an estimate of the plot's pixels:
 * the plot is about PLOT_WIDTH × PLOT_HEIGHT once axes, title and legends have their room,
 * and bold 11 px text about TEXT_WIDTH px a character. The estimate only chooses among
 * positions; Vega then draws the label at exact pixel offsets from its point.
 */

/** Estimated size of the plot area of a 560 × 420 plane chart, in pixels. */
const PLOT_WIDTH = 330;
const PLOT_HEIGHT = 320;
/** Estimated width of a character of the label font (bold 11 px sans-serif) and the label's height, in pixels. */
const TEXT_WIDTH = 5.6;
const TEXT_HEIGHT = 13;
/** Room kept around points and labels, in pixels. */
const CLEARANCE = 3;

/** A label position relative to its point: pixel offsets and text alignment, as Vega's text mark takes them. */
export interface LabelPlacement {
  dx: number;
  dy: number;
  align: 'left' | 'center' | 'right';
  baseline: 'top' | 'middle' | 'bottom';
}

/** A circle to keep clear of, in data coordinates with a radius in pixels. */
export interface Obstacle {
  x: number;
  y: number;
  radius: number;
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const RIGHT: LabelPlacement = { dx: 12, dy: 0, align: 'left', baseline: 'middle' };
const LEFT: LabelPlacement = { dx: -12, dy: 0, align: 'right', baseline: 'middle' };
/** After the two sides: above, below, then the four diagonals. */
const OTHERS: LabelPlacement[] = [
  { dx: 0, dy: -11, align: 'center', baseline: 'bottom' },
  { dx: 0, dy: 11, align: 'center', baseline: 'top' },
  { dx: 8, dy: -8, align: 'left', baseline: 'bottom' },
  { dx: -8, dy: -8, align: 'right', baseline: 'bottom' },
  { dx: 8, dy: 8, align: 'left', baseline: 'top' },
  { dx: -8, dy: 8, align: 'right', baseline: 'top' },
];
/** Rings of positions, each this many times farther than the near one, tried when the nearer ones cover something. */
const RINGS = [1, 2, 3];
/** What moving a label one ring out costs, against one covered data point. */
const RING_COST = 0.5;

function labelBox(x: number, y: number, chars: number, p: LabelPlacement): Box {
  const width = chars * TEXT_WIDTH;
  const left = x + p.dx - (p.align === 'left' ? 0 : p.align === 'center' ? width / 2 : width);
  const top = y + p.dy - (p.baseline === 'top' ? 0 : p.baseline === 'middle' ? TEXT_HEIGHT / 2 : TEXT_HEIGHT);
  return { left, right: left + width, top, bottom: top + TEXT_HEIGHT };
}

function hitsCircle(b: Box, x: number, y: number, radius: number): boolean {
  const nx = Math.min(b.right, Math.max(b.left, x));
  const ny = Math.min(b.bottom, Math.max(b.top, y));
  return (nx - x) ** 2 + (ny - y) ** 2 < (radius + CLEARANCE) ** 2;
}

const overlaps = (a: Box, b: Box): boolean =>
  a.left < b.right + CLEARANCE && b.left < a.right + CLEARANCE && a.top < b.bottom + CLEARANCE && b.top < a.bottom + CLEARANCE;

/**
 * A placement for each label (same order as `labels`), chosen in turn: the first of right or
 * left (whichever faces the middle of the plot first), above, below and the diagonals — close
 * to the point, then twice and three times as far — that covers the fewest things, weighing a covered label
 * over a covered test point over a covered data point, and never leaving the plot when
 * another position stays inside.
 */
export function placeLabels(
  labels: { x: number; y: number; text: string; radius: number }[],
  points: Obstacle[],
  domain: { x1: [number, number]; x2: [number, number] },
): LabelPlacement[] {
  const px = (x: number): number => ((x - domain.x1[0]) / (domain.x1[1] - domain.x1[0])) * PLOT_WIDTH;
  const py = (y: number): number => ((domain.x2[1] - y) / (domain.x2[1] - domain.x2[0])) * PLOT_HEIGHT;
  const dots = points.map((p) => ({ x: px(p.x), y: py(p.y), radius: p.radius }));
  const markers = labels.map((l) => ({ x: px(l.x), y: py(l.y), radius: l.radius }));
  const placed: Box[] = [];
  return labels.map((label, i) => {
    const { x, y } = markers[i];
    const near = [...(x > PLOT_WIDTH / 2 ? [LEFT, RIGHT] : [RIGHT, LEFT]), ...OTHERS];
    const candidates = RINGS.flatMap((k, ring) => near.map((p) => ({ placement: { ...p, dx: p.dx * k, dy: p.dy * k }, ring })));
    const cost = ({ placement: p, ring }: (typeof candidates)[number]): number => {
      const box = labelBox(x, y, label.text.length, p);
      const outside = box.left < 0 || box.right > PLOT_WIDTH || box.top < 0 || box.bottom > PLOT_HEIGHT;
      return (
        (outside ? 1000 : 0) +
        ring * RING_COST +
        100 * placed.filter((other) => overlaps(box, other)).length +
        10 * markers.filter((m) => hitsCircle(box, m.x, m.y, m.radius)).length +
        dots.filter((d) => hitsCircle(box, d.x, d.y, d.radius)).length
      );
    };
    const { placement } = candidates.reduce((a, b) => (cost(b) < cost(a) ? b : a));
    placed.push(labelBox(x, y, label.text.length, placement));
    return placement;
  });
}

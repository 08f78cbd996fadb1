/**
 * Numbers as the terminal shows them to people: 4 significant digits (`0.2562`, `1.2e-7`).
 * Full precision stays in the artifacts, run.json and --json.
 */

/** `x` with `digits` significant digits, without trailing zeros; tiny and huge ones in exponent form. */
export function forPeople(x: number, digits = 4): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  const rounded = Number(x.toPrecision(digits));
  return rounded !== 0 && (Math.abs(rounded) < 1e-4 || Math.abs(rounded) >= 1e15) ? rounded.toExponential() : String(rounded);
}

/** Every long decimal in `text` (more than 4 digits after the point) rounded with `forPeople`: stages' messages carry full floats. */
export const roundNumbersIn = (text: string): string => text.replace(/-?\d+\.\d{5,}(?:e[-+]?\d+)?/gi, (n) => forPeople(Number(n)));

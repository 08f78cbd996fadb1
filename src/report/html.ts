/**
 * HTML for the report pages, written so that a value can only reach the page escaped: `html`
 * escapes whatever it interpolates, except markup that `html` itself made (or `raw`).
 */

/** Markup that is safe to put into a page as it is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Trusted markup, taken as it is. */
export const raw = (text: string): Html => new Html(text);

function fragment(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** A template of markup: interpolated strings and numbers are escaped, `Html` and arrays of it are not; `undefined`, `null` and `false` leave nothing. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? fragment(values[i]) : ''), ''));
}

/** JSON for a `<script type="application/json">` element: `<` written as `\u003c`, so that no `</script>` in a string can end the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * JavaScript for an inline `<script>` element. `</script` or `<!--` in it would end or upset the
 * element; both can only appear inside a string, regular expression or comment, where the
 * escaped forms mean the same.
 */
export function scriptText(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** A number as the page shows it: 6 significant digits at most, a true minus sign. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const text = Number.isInteger(x) && Math.abs(x) < 1e15 ? String(x) : String(Number(x.toPrecision(6)));
  return text.replace(/^-/, '\u2212');
}

/** A param value: numbers and strings as they read, anything else as compact JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** Milliseconds as seconds (or minutes and seconds), e.g. `0.86 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** An ISO time as `2026-12-03 08:31:27 UTC`, the same on every machine. */
export function formatTime(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : `${t.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The leaves of nested params as dot paths (`optimizer.lr`); arrays are leaves. */
export function flatten(params: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(params).flatMap(([k, v]): [string, unknown][] =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? flatten(v as Record<string, unknown>, `${prefix}${k}.`) : [[`${prefix}${k}`, v]],
  );
}

/** A status as a coloured badge; the class names the status for the page's styles. */
export function badge(status: string): Html {
  return html`<span class="badge status-${status.replace(/[^a-z]+/gi, '-')}">${status}</span>`;
}

/** A table with a header row; `sortable` lets the page sort it by a click on a heading. */
export function table(headings: (string | Html)[], rows: Html[], opts: { sortable?: boolean; className?: string } = {}): Html {
  const classes = [opts.className, opts.sortable ? 'sortable' : undefined].filter(Boolean).join(' ');
  return html`<table${classes ? raw(` class="${escapeHtml(classes)}"`) : ''}><thead><tr>${headings.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** A table cell holding a number, which a sortable table sorts by value. */
export function numberCell(x: number | undefined, extra: Html | string = ''): Html {
  if (x === undefined) return html`<td class="num"></td>`;
  return html`<td class="num" data-sort="${String(x)}">${formatNumber(x)}${extra}</td>`;
}

/** A table cell holding a duration, sorted by its milliseconds. */
export function durationCell(ms: number | undefined): Html {
  return ms === undefined ? html`<td class="num"></td>` : html`<td class="num" data-sort="${String(ms)}">${formatDuration(ms)}</td>`;
}

/**
 * The memory layout of MT19937's WebAssembly module, defined once: mt19937.ts reads and
 * writes these regions, and scripts/build-wasm.ts puts the same numbers (with glibc's log
 * coefficients) into wasm/mt19937.wat's placeholders before assembling it.
 */
import { LOG_COEFFICIENTS, LOG_TABLE } from './glibc-log.ts';

/** Words of state. */
export const MT_N = 624;
/** The most pairs `normals()` draws at a time (their tries, 24 bytes each, fit the page from byte TRIES). */
export const NORMAL_PAIRS = 2048;

/** Byte offsets in the module's one page of memory. */
export const MT_LAYOUT = {
  /** The 624-word state. */
  STATE: 0,
  /** The 624 tempered outputs. */
  OUT: 4 * MT_N,
  /** glibc's log table (LOG_TABLE: invc, logc, ch, cl per subinterval). */
  LOG_TABLE: 8 * MT_N,
  /** The polar tries (x1, x2, r2 as f64), overwritten by the normal pairs they give. */
  TRIES: 12288,
} as const;

if (MT_LAYOUT.LOG_TABLE + 8 * LOG_TABLE.length > MT_LAYOUT.TRIES || MT_LAYOUT.TRIES + 24 * NORMAL_PAIRS > 65536) {
  throw new Error('MT19937 layout: regions overlap or leave the page');
}

/** The values of the placeholders in wasm/mt19937.wat, as the text the assembler reads. */
export function mtTemplateValues(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...MT_LAYOUT, ...LOG_COEFFICIENTS })) values[name] = String(value);
  return values;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateMt } from '../../scripts/build-wasm.ts';
import { MT_WASM } from '../../src/numerics/mt19937.wasm.ts';

// mt19937.wasm.ts is generated from wasm/mt19937.wat (with the layout and the log
// coefficients put in): rebuilding it with the same assembler must give the same file.
describe('the MT19937 WebAssembly module', () => {
  it('is wasm/mt19937.wat as scripts/build-wasm.ts assembles it, byte for byte', async () => {
    const { path, text } = await generateMt();
    expect(Buffer.from(MT_WASM, 'base64').length).toBeGreaterThan(1000);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('takes every number of its template from the layout and the log coefficients', () => {
    const template = readFileSync('wasm/mt19937.wat', 'utf8');
    // The offsets and coefficients appear only as placeholders.
    expect(template).not.toMatch(/offset=\d{3}|i32\.const (4992|12288)\b|f64\.const -?0\.\d{10}/);
    expect(template.match(/\{\{\w+(\+\d+)?\}\}/g)?.length).toBeGreaterThan(20);
  });
});

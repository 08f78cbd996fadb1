import { readFileSync } from 'node:fs';
import initWabt from 'wabt';
import { describe, expect, it } from 'vitest';

// mt19937.ts carries its WebAssembly module twice: as text in a comment (what a reader
// reads and edits) and as base64 bytes (what runs). This holds them to each other, with
// the same assembler (wabt) the bytes were made with.
describe('the MT19937 WebAssembly module', () => {
  it('is the assembled text of the comment in mt19937.ts, byte for byte', async () => {
    const source = readFileSync(new URL('../../src/numerics/mt19937.ts', import.meta.url), 'utf8');
    const start = source.indexOf('(module');
    const text = source.slice(start, source.indexOf('\n*/', start));
    const bytes = source.slice(source.indexOf('const MT_WASM = ['), source.indexOf('].join(', source.indexOf('const MT_WASM = [')));
    const embedded = Buffer.from([...bytes.matchAll(/'([A-Za-z0-9+/=]+)'/g)].map((m) => m[1]).join(''), 'base64');
    const wabt = await initWabt();
    const assembled = wabt.parseWat('mt19937.wat', text, { simd: true }).toBinary({}).buffer;
    expect(embedded.length).toBeGreaterThan(1000);
    expect(Buffer.from(assembled).equals(embedded)).toBe(true);
  });
});

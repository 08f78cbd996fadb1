import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateFused } from '../../../scripts/build-wasm.ts';

// kernel.wasm.ts is generated from wasm/fused.ts by AssemblyScript: rebuilding it with the
// locked compiler must give the same file, byte for byte.
describe('the fused trainer module', () => {
  it('is wasm/fused.ts as scripts/build-wasm.ts compiles it', async () => {
    const { path, text } = await generateFused();
    expect(text.length).toBeGreaterThan(10_000);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { createAjv } from '../../src/engine/load/ajv-setup.ts';
import { precompiledValidatorsSource, trustedSchemas } from '../../scripts/precompile-validators.ts';
import { builtinStages } from '../../src/stages/registry.ts';

/** The generated module, loaded as the bundle loads it (with a require() for ajv's runtime helpers). */
async function loadGenerated(): Promise<Record<string, ValidateFunction>> {
  const file = join(mkdtempSync(join(tmpdir(), 'rxlab-validators-')), 'validators.mjs');
  const requireFromHere = `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(createRequire(import.meta.url).resolve('ajv'))});\n`;
  writeFileSync(file, requireFromHere + precompiledValidatorsSource());
  return ((await import(pathToFileURL(file).href)) as { precompiled: Record<string, ValidateFunction> }).precompiled;
}

/** Params to try on every stage: valid-looking, wrong types, unknown keys, bad values. */
const samples: unknown[] = [
  {},
  { n_samples: 10, random_state: 1 },
  { n_samples: 'many' },
  { epochs: 0, optimizer: { name: 'sgd', lr: -1 } },
  { optimizer: { name: 'adamw', lr: 0.1 } },
  { layers: [2, 'x'], init: { scheme: 'torch' } },
  { unknown_key: true, title: 3 },
  { points: [{ point: [1] }], path: 5 },
  [],
  null,
];

describe('validators compiled ahead of time for the bundle', () => {
  it('cover the pipeline schema and every built-in stage', async () => {
    const generated = await loadGenerated();
    expect(Object.keys(generated).sort()).toEqual([...trustedSchemas().keys()].sort());
    expect(trustedSchemas().size).toBeGreaterThanOrEqual(builtinStages.size); // stages may share a schema
  });

  it('give the same verdict, errors and filled-in defaults as compiling at run time', async () => {
    const generated = await loadGenerated();
    const ajv = createAjv();
    let failures = 0;
    for (const [hash, schema] of trustedSchemas()) {
      const compiled = ajv.compile(schema);
      for (const sample of samples) {
        const [a, b] = [structuredClone(sample), structuredClone(sample)];
        const verdict = generated[hash](a);
        expect(verdict).toBe(compiled(b));
        expect(a).toEqual(b);
        expect(generated[hash].errors ?? null).toEqual(compiled.errors ?? null);
        if (!verdict) failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });
});

/** rxlab's code hash: the same code hashes alike anywhere; any change to it shows. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeFolder, hashCode, rxlabCode, rxlabCodeHash } from '../../src/code-identity.ts';
import { tempDir } from '../helpers/engine.ts';

/** A folder holding `files` (path → content), written in the order given. */
function tree(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
const hashOf = (files: Record<string, string>): string => hashCode({ dir: tree(files), from: 'src' }).hash;

describe("rxlab's code hash", () => {
  it('depends on the files and their paths, not on the folder or the order they were written in', () => {
    const files = { 'cli.ts': 'main()', 'engine/run.ts': 'run()', 'engine/z.ts': 'z' };
    const reference = hashOf(files);
    expect(hashOf({ 'engine/z.ts': 'z', 'cli.ts': 'main()', 'engine/run.ts': 'run()' })).toBe(reference);
    expect(hashOf({ ...files, 'engine/run.ts': 'run() ' })).not.toBe(reference);
    expect(hashOf({ 'cli.ts': 'main()', 'engine/ran.ts': 'run()', 'engine/z.ts': 'z' })).not.toBe(reference);
    expect(hashOf({ ...files, 'engine/new.ts': '' })).not.toBe(reference);
    // Bytes moved from one file to the next: the sizes keep the two apart.
    expect(hashOf({ 'a.ts': 'xy', 'b.ts': '' })).not.toBe(hashOf({ 'a.ts': 'x', 'b.ts': 'y' }));
  });

  it('hashes the bundle when it runs from dist/, else the sources', () => {
    expect(codeFolder('/opt/rxlab/dist/chunks/chunk-ABC.mjs')).toEqual({ dir: '/opt/rxlab/dist', from: 'dist' });
    expect(codeFolder('/opt/rxlab/dist/rxlab.mjs')).toEqual({ dir: '/opt/rxlab/dist', from: 'dist' });
    expect(codeFolder('/opt/rxlab/src/code-identity.ts')).toEqual({ dir: '/opt/rxlab/src', from: 'src' });
    // These tests run the sources.
    const code = rxlabCode();
    expect(code.from).toBe('src');
    expect(code.dir).toBe(join(import.meta.dirname, '..', '..', 'src'));
    expect(code.files).toBeGreaterThan(50);
    expect(rxlabCodeHash()).toBe(hashCode({ dir: code.dir, from: 'src' }).hash);
    expect(rxlabCodeHash()).toMatch(/^[0-9a-f]{64}$/);
  });
});

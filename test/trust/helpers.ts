/** Small pipelines and checks shared by the tests of what rxlab promises (test/trust/). */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { tempDir } from '../helpers/engine.ts';
import { expectNoCrash, type Result } from '../helpers/cli.ts';

/** A pipeline with one `dataset` stage on inline data: no TensorFlow.js, so each run takes a fraction of a second. */
export const TINY = `name: tiny
stages:
  data:
    uses: dataset
    with: { X: [[0, 0], [1, 1]], y: [0, 1] }
`;

/** A new folder holding `tiny.yaml` (or the given text as `name`). */
export function project(text = TINY, name = 'tiny.yaml'): string {
  const dir = tempDir();
  writeFileSync(join(dir, name), text);
  return dir;
}

/** Every entry under `dir`, relative, with each file's content: to show that nothing in it changed. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const rel = path.slice(dir.length + 1);
    out[rel] = entry.isFile() ? readFileSync(path, 'utf8') : entry.isSymbolicLink() ? '(link)' : '(folder)';
  }
  return out;
}

/** A refusal: exit 2, one line on stderr matching `message`, nothing on stdout, no stack trace. */
export function expectRefused(result: Result, message: RegExp | string): void {
  expectNoCrash(result);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
  expect(result.status, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
}

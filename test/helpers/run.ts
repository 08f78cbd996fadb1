/** Runs a pipeline file as `rxlab run` does into a temp folder (with a lock of its own there), for stage tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline as run } from '../../src/index.ts';
import type { RunManifest } from '../../src/engine/record/manifest.ts';
import { tempDir } from './engine.ts';

export interface Ran {
  out: string;
  manifest: RunManifest;
  json: <T>(path: string) => T;
}

export async function runPipeline(file: string, overrides: string[] = []): Promise<Ran> {
  const out = tempDir();
  const { manifest } = await run(file, { set: overrides, out, lockFile: join(out, 'rxlab.lock.json') });
  return { out, manifest, json: <T>(path: string) => JSON.parse(readFileSync(join(out, path), 'utf8')) as T };
}

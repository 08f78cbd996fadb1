/** Runs a pipeline file as the CLI does (load → plan → run) into a temp folder, for stage tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executeRun, type RunManifest } from '../../src/engine/run/execute.ts';
import { loadPipeline } from '../../src/engine/load/load.ts';
import { planPipeline } from '../../src/engine/plan/plan.ts';
import { tempDir } from '../engine/helpers.ts';

export interface Ran {
  out: string;
  manifest: RunManifest;
  json: <T>(path: string) => T;
}

export async function runPipeline(file: string, overrides: string[] = []): Promise<Ran> {
  const out = tempDir();
  const manifest = await executeRun(planPipeline(await loadPipeline(file, { overrides })), { outDir: out });
  return { out, manifest, json: <T>(path: string) => JSON.parse(readFileSync(join(out, path), 'utf8')) as T };
}

/** Small stages and a spec builder for engine tests, without going through the loader. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Observable } from 'rxjs';
import type { PipelineSpec, StageSpec } from '../../src/engine/load/pipeline.ts';
import type { Stage } from '../../src/contract/stage.ts';

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'rxlab-test-'));

/** A pipeline of `stages` (id → stage, inputs), at line i+1 each. */
export function pipelineOf(stages: Record<string, { stage: Stage; inputs?: Record<string, string>; params?: Record<string, unknown> }>): PipelineSpec {
  const specs: StageSpec[] = Object.entries(stages).map(([id, s], i) => ({
    id,
    uses: s.stage.name,
    stage: s.stage,
    params: s.params ?? {},
    inputs: s.inputs ?? {},
    pos: { line: i + 1, col: 3 },
    inputPos: Object.fromEntries(Object.keys(s.inputs ?? {}).map((port) => [port, { line: i + 1, col: 20 }])),
  }));
  return { name: 'test', file: '/virtual/test.yaml', dir: '/virtual', source: 'test', stages: specs, overrides: [] };
}

export function collect<T>(source: Observable<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const seen: T[] = [];
    source.subscribe({ next: (v) => seen.push(v), error: reject, complete: () => resolve(seen) });
  });
}

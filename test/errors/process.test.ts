/**
 * SIGINT and SIGTERM in the middle of training a real pipeline (a copy of
 * pipelines/perceptron.yaml given 100000 epochs): the CLI exits within 1 s with code 1,
 * run.json says interrupted, every artifact present is whole, and the lock is untouched.
 * test/cli.test.ts does the same on a slow user stage, and SIGKILL in the middle of a
 * large write.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, copyPipeline, filesUnder, rxlabUntil } from '../helpers/cli.ts';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('rxlab run: interrupted while training', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: exits within 1 s (exit 1), run.json says interrupted, no half-written artifact, the lock byte for byte as it was`, async () => {
      const { dir, lock } = copyPipeline(join(ROOT, 'pipelines', 'perceptron.yaml'), join(ROOT, 'pipelines', 'perceptron.lock.json'));
      const lockBefore = readFileSync(lock);
      // --update-lock: the lock a completed run would rewrite is the copy's own.
      const args = ['run', 'perceptron.yaml', '--set', 'train.epochs=100000', '--update-lock', '--out', 'out'];
      const result = await rxlabUntil(args, 'train: 1/100000', (child) => child.kill(signal), dir);

      expect(result.exitMs).toBeLessThan(1000);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /^run interrupted after [\d.]+ s \(\d+ ran, \d+ cached, \d+ interrupted\): interrupted by a signal before the run finished; the losses so far \(\d+ epochs?\) are in train\/history\.incomplete\.json\n$/,
      );
      const out = join(dir, 'out');
      const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
      expect([manifest.status, manifest.stages.train.status]).toEqual(['interrupted', 'interrupted']);
      // Training keeps what it learned, under a name no finished run uses.
      expect(readdirSync(join(out, 'train'))).toEqual(['history.incomplete.json']);
      // What is there is what run.json says was written, whole: no temp file, no partial chart.
      const recorded = Object.entries(manifest.stages as Record<string, { artifacts: Record<string, { sha256: string }> }>).flatMap(
        ([stage, s]) => Object.entries(s.artifacts).map(([name, a]) => [join(stage, name), a.sha256] as const),
      );
      const onDisk = filesUnder(out).filter((f) => f !== 'run.json' && f !== 'report.html' && !f.startsWith('.rxlab/'));
      expect(onDisk).toEqual(recorded.map(([file]) => file).sort());
      for (const [file, hash] of recorded) expect(sha256(join(out, file))).toBe(hash);
      expect(readFileSync(lock)).toEqual(lockBefore);
    });
  }
});

/**
 * A loss that becomes NaN, through the real CLI: training stops at that epoch with an
 * error naming it and the learning rate to lower (exit 1); the losses before it are kept
 * as train/history.incomplete.json, never as history.json, and the lock is not written.
 * The training loop's own test is in test/ml/train.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, copyPipeline, expectNoCrash, rxlab } from '../helpers/cli.ts';

describe('rxlab run: a loss that becomes NaN', () => {
  it('stops at that epoch, keeps the partial history marked incomplete, and leaves the lock alone', () => {
    const { dir, lock } = copyPipeline(join(FIXTURES, 'small.yaml'));
    const good = rxlab(['run', 'small.yaml', '--out', 'out'], { cwd: dir });
    expect(good.status).toBe(0);
    const lockBefore = readFileSync(lock);

    // With a sigmoid output and PyTorch's clamped BCE the loss stays finite for any learning
    // rate float32 weights can absorb (a saturated sample has a zero gradient); 1e39 is past
    // float32's range, so the first step leaves the weights infinite or NaN.
    // --update-lock makes the committed lock (here, the copy's) the one a success would write.
    const result = rxlab(['run', 'small.yaml', '--out', 'out', '--set', 'train.optimizer.lr=1e39', '--update-lock'], { cwd: dir });
    expectNoCrash(result);
    const failure = /^run failed after [\d.]+ s \([^)]*\): stage "train" failed: loss became (NaN|Infinity) at epoch (\d+); lower the learning rate \(optimizer\.lr = 1e\+39\); the losses so far \((\d+) epochs?\) are in train\/history\.incomplete\.json\n$/;
    expect(result.stderr).toMatch(failure);
    expect(result.status).toBe(1);
    const [, , epoch, kept] = failure.exec(result.stderr)!.map(Number);
    expect(kept).toBe(epoch - 1);

    const out = join(dir, 'out');
    expect(readdirSync(join(out, 'train'))).toEqual(['history.incomplete.json']);
    const partial = JSON.parse(readFileSync(join(out, 'train', 'history.incomplete.json'), 'utf8'));
    expect(partial.loss).toHaveLength(epoch - 1);
    expect(partial.loss.every(Number.isFinite)).toBe(true);
    expect(partial.error).toMatch(/^loss became \w+ at epoch \d+; lower the learning rate/);
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect([manifest.status, manifest.stages.train.status]).toEqual(['failed', 'failed']);
    expect(Object.keys(manifest.stages.train.artifacts)).toEqual(['history.incomplete.json']);
    expect(readFileSync(lock)).toEqual(lockBefore);

    // The next run does not take the failed one for a result: train runs again, and the
    // incomplete history goes with the folder's old contents.
    const again = rxlab(['run', 'small.yaml', '--out', 'out'], { cwd: dir });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('train: started (no history.json in the output folder)');
    expect(readdirSync(join(out, 'train')).sort()).toEqual(['history.json', 'model.json', 'params.json', 'weights.bin']);
    expect(readFileSync(lock)).toEqual(lockBefore);
  });
});

/**
 * What each side refuses, against a real redis-server with the worker in this process:
 * jobs a worker must not run (not a trial, paths that leave its checkout, a path smuggled
 * in an override), results too large to send, results a coordinator must not write, and
 * a queue that cannot be reached (said without the password).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkoutIdentity } from '../../src/queue/identity.ts';
import { QueueLauncher, QueueUnavailableError } from '../../src/queue/launcher.ts';
import { JOB_NAME, PREFIX, PROTOCOL, QUEUE_NAME, type TrialJob } from '../../src/queue/protocol.ts';
import { connectionOptions } from '../../src/queue/url.ts';
import { startQueueWorker, type QueueWorker, type RunTrial } from '../../src/queue/worker.ts';
import type { Trial } from '../../src/sweep/grid.ts';
import type { TrialOutcome } from '../../src/sweep/trials.ts';
import { tempDir } from '../helpers/engine.ts';
import { GRID_FILE, hashes, ROOT } from './harness.ts';
import { freePort, redisMissing, startRedis, type TestRedis } from './redis.ts';

const trial: Trial = { id: 'trial-001', values: { 'train.epochs': 5 }, overrides: ['train.epochs=5'] };

/** One trial whose folder holds one seeded file, run through a fresh launcher. */
async function runOne(url: string, options: { unreachableAfterMs?: number } = {}): Promise<{ outcomes: TrialOutcome[]; dir: string; lines: string[] }> {
  const dir = tempDir();
  mkdirSync(join(dir, trial.id));
  writeFileSync(join(dir, trial.id, 'seeded.json'), '{"seeded": true}\n');
  const lines: string[] = [];
  const launcher = new QueueLauncher({ url, root: ROOT, ...options });
  try {
    const outcomes = await launcher.run([trial], { file: GRID_FILE, dirOf: (t) => join(dir, t.id), failFast: false, signal: new AbortController().signal, report: (l) => void lines.push(l) });
    return { outcomes, dir: join(dir, trial.id), lines };
  } finally {
    await launcher.close();
  }
}

describe.skipIf(redisMissing)(`refusals${redisMissing ? ` (skipped: ${redisMissing})` : ''}`, () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Runs `work` with an in-process worker whose trials are `runTrial`. */
  async function withWorker<T>(runTrial: RunTrial, work: (worker: QueueWorker) => Promise<T>, options: { maxResultBytes?: number } = {}): Promise<T> {
    const controller = new AbortController();
    const worker = startQueueWorker({ url: redis.url, root: ROOT, runTrial, signal: controller.signal, log: () => undefined, ...options });
    await worker.ready;
    try {
      return await work(worker);
    } finally {
      controller.abort();
      await worker.closed;
    }
  }

  it('a worker refuses payloads that are not rxlab trials of a pipeline in its checkout, and runs none of them', async () => {
    const identity = await checkoutIdentity(ROOT)(GRID_FILE);
    const valid: TrialJob = { protocol: PROTOCOL, sweep: 'abc123', trial: 'trial-001', file: GRID_FILE, overrides: ['train.epochs=5'], identity, seed: [] };
    const sha = 'a'.repeat(64);
    const cases: [string, string, unknown, string][] = [
      ['not a trial', 'shell', { command: 'rm -rf /' }, 'not an rxlab trial (its name is "shell", not "trial")'],
      ['an extra field', JOB_NAME, { ...valid, command: 'rm -rf /' }, 'not an rxlab trial ((the payload) must NOT have additional properties)'],
      ['a file outside the checkout', JOB_NAME, { ...valid, file: '../../etc/passwd.yaml' }, `not an rxlab trial (/file must be a .yaml file's path inside the checkout (relative, with no "." or ".." part))`],
      ['an absolute file', JOB_NAME, { ...valid, file: '/etc/rxlab.yaml' }, "/file must be a .yaml file's path inside the checkout"],
      ['a file that is not a pipeline', JOB_NAME, { ...valid, file: 'package.json' }, "/file must be a .yaml file's path inside the checkout"],
      ['a seed file outside the folder', JOB_NAME, { ...valid, seed: [{ path: '../../.bashrc', sha256: sha, bytes: 1 }] }, 'not an rxlab trial (/seed/0/path must be a path inside the folder (relative, with no "." or ".." part))'],
      ['a folder too large to bring', JOB_NAME, { ...valid, seed: [{ path: 'big.bin', sha256: sha, bytes: 2 ** 40 }] }, 'refused trial-001 of sweep abc123: its folder is 1048576.0 MiB, more than the 64.0 MiB a trial may bring'],
      ['another protocol', JOB_NAME, { ...valid, protocol: 2 }, 'not an rxlab trial (/protocol must be equal to constant)'],
      ['a path in an override', JOB_NAME, { ...valid, overrides: ['data.path=/etc/passwd'] }, 'refused trial-001 of sweep abc123: --set data.path=/etc/passwd: "/etc/passwd" looks like a path'],
      ['a path escaped in YAML', JOB_NAME, { ...valid, overrides: ['data.path="\\x2Fetc\\x2Fshadow"'] }, '"/etc/shadow" looks like a path'],
      ['a pipeline this checkout lacks', JOB_NAME, { ...valid, file: 'pipelines/nowhere.yaml' }, "there is no pipeline pipelines/nowhere.yaml in this worker's checkout"],
    ];
    const runTrial = vi.fn<RunTrial>();
    const queue = new Queue(QUEUE_NAME, { connection: connectionOptions(redis.url), prefix: PREFIX });
    const events = new QueueEvents(QUEUE_NAME, { connection: connectionOptions(redis.url), prefix: PREFIX });
    try {
      await events.waitUntilReady();
      await withWorker(runTrial, async () => {
        for (const [what, name, data, reason] of cases) {
          const job = await queue.add(name, data);
          const failed = await job.waitUntilFinished(events).then(
            () => 'completed',
            (err: Error) => err.message,
          );
          expect(failed, what).toContain(reason);
        }
      });
    } finally {
      await events.close();
      await queue.close();
    }
    expect(runTrial).not.toHaveBeenCalled();
  });

  it('a result larger than the workers allow is refused, saying how large; the folder is left as it was', async () => {
    const big: RunTrial = async (request) => {
      writeFileSync(join(request.outDir, 'big.bin'), Buffer.alloc(2 * 2 ** 20, 7));
      return { status: 'completed' };
    };
    const { outcomes, dir } = await withWorker(big, () => runOne(redis.url), { maxResultBytes: 2 ** 20 });
    expect(outcomes.map((o) => [o.status, o.error])).toEqual([
      [
        'failed',
        'trial-001: its results are 2.0 MiB, more than the 1.0 MiB a trial may send back through the queue (the largest file, big.bin, is 2.0 MiB); raise maxResultBytes on the workers, or run this sweep locally',
      ],
    ]);
    expect(Object.keys(hashes(dir))).toEqual(['seeded.json']);
  });

  it("a worker's result is checked before anything is written: a path that leaves the folder is refused", async () => {
    const rogue = new Worker(QUEUE_NAME, async () => ({ protocol: PROTOCOL, status: 'completed', durationMs: 1, worker: 'rogue:1', files: [{ path: '../../escape.txt', sha256: 'b'.repeat(64), bytes: 1 }] }), {
      connection: connectionOptions(redis.url),
      prefix: PREFIX,
    });
    try {
      const { outcomes, dir } = await runOne(redis.url);
      expect(outcomes.map((o) => o.status)).toEqual(['failed']);
      expect(outcomes[0].error).toBe('its worker sent a result this coordinator cannot use: /files/0/path must be a path inside the folder (relative, with no "." or ".." part)');
      expect(Object.keys(hashes(dir))).toEqual(['seeded.json']);
      expect(readFileSync(join(dir, 'seeded.json'), 'utf8')).toBe('{"seeded": true}\n');
    } finally {
      await rogue.close();
    }
  });

  it('a queue that cannot be reached is reported with its URL, never its password', async () => {
    const locked = await startRedis({ password: 'right-pass-77' });
    try {
      const wrong = `redis://default:wrong-pass-42@127.0.0.1:${locked.port}`;
      const error = await runOne(wrong, { unreachableAfterMs: 1000 }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(QueueUnavailableError);
      expect((error as Error).message).toMatch(new RegExp(`^cannot reach the queue at redis://\\*\\*\\*@127\\.0\\.0\\.1:${locked.port} \\(WRONGPASS .*\\) after 1 s; start Redis there, or check the URL$`));
      expect((error as Error).message).not.toContain('wrong-pass-42');
    } finally {
      await locked.stop();
    }
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const error = await runOne(nobody, { unreachableAfterMs: 1000 }).catch((err: unknown) => err);
    expect((error as Error).message).toMatch(/^cannot reach the queue at redis:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED 127\.0\.0\.1:\d+\) after 1 s; start Redis there, or check the URL$/);
  });
});

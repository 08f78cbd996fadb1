/** `rediss://`: a sweep through a Redis that takes only TLS connections, with a password. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.ts';
import { prepareSweep, runCoordinatorProcess, spawnWorker } from './harness.ts';
import { opensslMissing, redisMissing, startRedis } from './redis.ts';

const missing = redisMissing ?? opensslMissing;

describe.skipIf(missing)(`a queue over TLS${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('runs a sweep through rediss://, the certificate checked against a private authority', async () => {
    const redis = await startRedis({ tls: true, password: 'tls-pass-31' });
    // Node trusts the test's authority as a user trusts theirs: NODE_EXTRA_CA_CERTS.
    const env = { NODE_EXTRA_CA_CERTS: redis.caFile! };
    const worker = spawnWorker(redis.url, {}, { env });
    try {
      await worker.ready;
      const { trials, dirOf } = await prepareSweep({ 'train.optimizer.lr': [0.3] }, tempDir());
      const coordinator = runCoordinatorProcess(redis.url, trials, dirOf, env);
      expect(await coordinator.exited, coordinator.output()).toBe(0);
      expect(coordinator.output()).toContain(`queue rediss://***@127.0.0.1:${redis.port}: sending 1 trials`);
      expect(coordinator.output().trim().split('\n').at(-1)).toBe('completed');
      expect(JSON.parse(readFileSync(join(dirOf(trials[0]), 'run.json'), 'utf8')).status).toBe('completed');
      expect(coordinator.output() + worker.output()).not.toContain('tls-pass-31');
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await redis.stop();
    }
  });
});

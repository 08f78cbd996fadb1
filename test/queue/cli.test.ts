/**
 * Queued sweeps as a user runs them: `rxlab worker` processes and `rxlab sweep --queue`
 * through the real CLI, against a redis-server of the test's own.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecords } from '../../src/exp/history.ts';
import { BIN, ROOT, rxlab } from '../helpers/cli.ts';
import { tempDir } from '../helpers/engine.ts';
import { hashes, until } from './harness.ts';
import { redisMissing, startRedis, type TestRedis } from './redis.ts';

/** The worker processes' pids, from their `worker host:pid takes trials …` lines. */
const pidsOf = (output: string): number[] => [...output.matchAll(/^worker [^ ]+:(\d+) takes trials from /gm)].map((m) => Number(m[1]));

describe.skipIf(redisMissing)(`rxlab worker and rxlab sweep --queue${redisMissing ? ` (skipped: ${redisMissing})` : ''}`, () => {
  let redis: TestRedis;
  let project: string;
  beforeAll(async () => {
    redis = await startRedis({ password: 'hunter2-cli' });
    // A project of its own (package.json marks its root), holding a copy of the perceptron.
    project = tempDir();
    writeFileSync(join(project, 'package.json'), '{"type": "module"}\n');
    mkdirSync(join(project, 'pipelines'));
    cpSync(join(ROOT, 'pipelines', 'perceptron.yaml'), join(project, 'pipelines', 'perceptron.yaml'));
  });
  afterAll(async () => redis?.stop());

  it('runs the trials on `rxlab worker --concurrency 2`, byte for byte as a local sweep, never printing the password', async () => {
    let output = '';
    const workers = spawn(process.execPath, [BIN, 'worker', '--concurrency', '2'], { cwd: project, env: { ...process.env, REDIS_URL: redis.url } });
    workers.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    workers.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await until('two workers to be ready', () => output.split(' takes trials from ').length === 3);
      const grid = ['--grid', 'train.optimizer.lr=0.01,0.1', '--grid', 'model.init.seed=1,2', '--set', 'train.epochs=50'];
      const queued = rxlab(['sweep', 'pipelines/perceptron.yaml', ...grid, '--queue', redis.url, '--out', 'queued'], { cwd: project });
      expect(queued.status, queued.stdout + queued.stderr).toBe(0);
      expect(queued.stdout).toMatch(/^sweep perceptron: 4 trials, on the queue redis:\/\/\*\*\*@127\.0\.0\.1:\d+, in queued$/m);
      const local = rxlab(['sweep', 'pipelines/perceptron.yaml', ...grid, '--out', 'local'], { cwd: project });
      expect(local.status, local.stdout + local.stderr).toBe(0);
      for (const trial of ['trial-001', 'trial-002', 'trial-003', 'trial-004']) {
        const [a, b] = [hashes(join(project, 'queued', trial)), hashes(join(project, 'local', trial))];
        expect(a, trial).toEqual(b);
      }
      for (const text of [queued.stdout, queued.stderr, output]) expect(text).not.toContain('hunter2-cli');

      // Every trial is on the sweep's record once, as a local trial is: the coordinator records
      // queued trials, with their folders here; the worker (in the same checkout) keeps none.
      const { records } = readRecords(join(project, 'outputs', 'perceptron', '.history'));
      const trialsOf = (dir: string) => records.filter((r) => r.sweep?.dir === join(project, dir)).sort((a, b) => a.sweep!.trial.localeCompare(b.sweep!.trial));
      expect(records).toHaveLength(8);
      const [queuedRecords, localRecords] = [trialsOf('queued'), trialsOf('local')];
      expect(queuedRecords.map((r) => r.sweep!.trial)).toEqual(['trial-001', 'trial-002', 'trial-003', 'trial-004']);
      for (const [i, r] of queuedRecords.entries()) {
        const local = localRecords[i];
        expect(r).toMatchObject({ kind: 'trial', status: 'completed', name: local.name, overrides: local.overrides, outDir: join(project, 'queued', r.sweep!.trial), metrics: local.metrics, params: local.params, artifacts: local.artifacts });
        expect(r.host).toMatch(/./);
        expect(pidsOf(output)).toContain(r.pid);
        // Its report is written beside its artifacts, from the record, as a local trial's is.
        const report = join(r.outDir!, 'report.html');
        expect(existsSync(report), report).toBe(true);
        expect(readFileSync(report, 'utf8')).toContain(r.name);
      }
    } finally {
      workers.kill('SIGTERM');
      await new Promise((resolve) => workers.on('exit', resolve));
    }
    // SIGTERM reached both worker processes (`worker host:pid takes trials …`), which stopped, and the command waited for them.
    const pids = pidsOf(output);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(() => process.kill(pid, 0), `worker process ${pid} is still running`).toThrow(/ESRCH/);
  });

  it('refuses a URL that is not Redis with exit 2, and a worker with no queue given says where to give one', () => {
    const sweep = rxlab(['sweep', 'pipelines/perceptron.yaml', '--grid', 'train.epochs=1,2', '--queue', 'http://example.com'], { cwd: project });
    expect(sweep.status).toBe(2);
    expect(sweep.stderr).toMatch(/^rxlab sweep: .*redis/m);
    const worker = rxlab(['worker'], { cwd: project, env: { REDIS_URL: '' } });
    expect(worker.status).toBe(2);
    expect(worker.stderr).toMatch(/^rxlab worker: .*(REDIS_URL|--queue)/m);
  });
});

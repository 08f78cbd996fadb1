/**
 * A redis-server of the test's own: on a free loopback port, in a temporary folder, with
 * no persistence, optionally with a password; stopped (or killed, and started again on
 * the same port) by the test. Tests that need one are skipped, saying why, where
 * redis-server is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why Redis tests cannot run here, or undefined when they can. */
export const redisMissing: string | undefined =
  spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0
    ? undefined
    : 'redis-server is not installed (apt-get install redis-server; .ci/run installs it)';

export interface TestRedis {
  port: number;
  /** `redis://[default:password@]127.0.0.1:port`. */
  url: string;
  /** Kills it outright (SIGKILL): what a crashed or unplugged Redis looks like to its clients. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A TCP port on the loopback that nothing listens on (as of now). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export async function startRedis({ password }: { password?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rxlab-redis-'));
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
    if (password) args.push('--requirepass', password);
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      };
      started.stdout!.on('data', onData);
      started.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}: ${output}`)));
    });
  };
  const exited = (): Promise<void> => new Promise((resolve) => (child && child.exitCode === null && child.signalCode === null ? child.once('exit', () => resolve()) : resolve()));
  await launch();
  return {
    port,
    url: password ? `redis://default:${password}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    async kill() {
      const done = exited();
      child?.kill('SIGKILL');
      await done;
    },
    restart: launch,
    async stop() {
      const done = exited();
      child?.kill('SIGTERM');
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A redis-server of the test's own: on a free loopback port, in a temporary folder, with
 * no persistence, optionally with a password; stopped (or killed, and started again on
 * the same port) by the test. Tests that need one are skipped, saying why, where
 * redis-server is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  /** `redis://[default:password@]127.0.0.1:port`, or `rediss://…` with TLS. */
  url: string;
  /** With TLS: the certificate of the authority that signed the server's (for NODE_EXTRA_CA_CERTS). */
  caFile?: string;
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

/** Why TLS tests cannot run here (no openssl to make certificates), or undefined. */
export const opensslMissing: string | undefined =
  spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0 ? undefined : 'openssl is not installed (it makes the test certificates)';

/** A certificate authority and a server certificate for 127.0.0.1, made with openssl in `dir`. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const openssl = (...args: string[]): void => {
    const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`);
  };
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=rxlab test CA');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

export async function startRedis({ password, tls = false }: { password?: string; tls?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rxlab-redis-'));
  const certificates = tls ? makeCertificates(dir) : undefined;
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
    if (certificates) {
      // TLS only: the plain port is closed.
      args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', certificates.cert, '--tls-key-file', certificates.key);
      args.push('--tls-ca-cert-file', certificates.ca, '--tls-auth-clients', 'no');
    } else {
      args.push('--port', String(port));
    }
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
    url: `${tls ? 'rediss' : 'redis'}://${password ? `default:${password}@` : ''}127.0.0.1:${port}`,
    caFile: certificates?.ca,
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

/**
 * Where the queue is: `redis://[user:password@]host[:port][/db]`, or `rediss://…` for
 * TLS. The URL comes from `--queue URL`, a file (`--queue-file`, so the password stays
 * out of the shell history and `ps`), or `REDIS_URL`. Its credentials are never shown:
 * every message that could carry them goes through `redactor(url)`.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** A queue URL or its source that cannot be used (exit 2: nothing ran). */
export class QueueConfigError extends Error {
  override name = 'QueueConfigError';
}

export interface QueueUrlSources {
  /** `--queue URL` (or `sweep: {queue: URL}`). */
  url?: string;
  /** A file whose first non-empty line is the URL. */
  file?: string;
  /** Consulted for `REDIS_URL` when neither of the above is given. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The queue URL from exactly one of its sources: the URL given, else the file, else
 * `REDIS_URL`. Checked (scheme, host, port, db) but not connected to.
 */
export function resolveQueueUrl({ url, file, env = {} }: QueueUrlSources): string {
  if (url !== undefined && file !== undefined) throw new QueueConfigError('give the queue either as a URL or as a file holding it, not both');
  let resolved = url;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new QueueConfigError(`cannot read the queue file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    resolved = text.split('\n').map((line) => line.trim()).find((line) => line !== '' && !line.startsWith('#'));
    if (resolved === undefined) throw new QueueConfigError(`the queue file ${file} holds no URL; write redis://[user:password@]host:port[/db] on its first line`);
  }
  resolved ??= env.REDIS_URL;
  if (resolved === undefined || resolved.trim() === '') {
    throw new QueueConfigError('no queue given: pass --queue redis://host:port, --queue-file FILE, or set REDIS_URL');
  }
  connectionOptions(resolved.trim()); // throws when it is not a usable URL
  return resolved.trim();
}

/** The URL as it may be shown: user and password replaced by `***`. */
export function redactUrl(url: string): string {
  const at = url.indexOf('@', url.indexOf('//') + 2);
  if (at < 0) return url;
  return `${url.slice(0, url.indexOf('//') + 2)}***${url.slice(at)}`;
}

/**
 * A function that removes the URL's credentials from any text (a message, an error from
 * the Redis client): the URL itself is shown redacted, and the password and user:password
 * are cut out wherever else they appear, raw or percent-encoded.
 */
export function redactor(url: string): (text: string) => string {
  const secrets = new Set<string>();
  const display = redactUrl(url);
  const scheme = url.indexOf('//') + 2;
  const at = url.indexOf('@', scheme);
  if (at >= 0) {
    const userinfo = url.slice(scheme, at);
    const colon = userinfo.indexOf(':');
    const password = colon >= 0 ? userinfo.slice(colon + 1) : userinfo;
    for (const secret of [userinfo, password]) {
      for (const form of [secret, safeDecode(secret), encodeURIComponent(safeDecode(secret))]) if (form) secrets.add(form);
    }
  }
  // Longest first, so user:password goes before the password inside it.
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.split(url).join(display);
    for (const secret of ordered) out = out.split(secret).join('***');
    return out;
  };
}

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** Where and how to connect: options that ioredis and BullMQ both take. */
export interface RedisAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { servername?: string };
}

/** The connection options for the URL; a QueueConfigError (naming the redacted URL) when it is not one. */
export function connectionOptions(url: string): RedisAddress {
  const shown = redactUrl(url);
  const bad = (why: string): never => {
    throw new QueueConfigError(`${shown} is not a queue URL: ${why}; expected redis://[user:password@]host:port[/db] (rediss:// for TLS)`);
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return bad('it does not parse as a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return bad(`the scheme is ${parsed.protocol.replace(/:$/, '')}`);
  if (parsed.hostname === '') return bad('it names no host');
  if (parsed.search !== '' || parsed.hash !== '') return bad('it has a query or fragment, which rxlab does not read');
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) return bad(`the database "${path}" is not a number`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisAddress = { host, port: parsed.port === '' ? 6379 : Number(parsed.port), db: path === '' ? 0 : Number(path) };
  if (parsed.username !== '') options.username = safeDecode(parsed.username);
  if (parsed.password !== '') options.password = safeDecode(parsed.password);
  // TLS checks the certificate against the host; SNI takes a name, never an address.
  if (parsed.protocol === 'rediss:') options.tls = isIP(host) ? {} : { servername: host };
  return options;
}

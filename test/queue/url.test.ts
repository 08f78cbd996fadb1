/** Where the queue is, and keeping its credentials out of every message. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionOptions, redactor, redactUrl, resolveQueueUrl } from '../../src/queue/url.ts';
import { tempDir } from '../helpers/engine.ts';

describe('the queue URL', () => {
  it('comes from the URL given, else the file, else REDIS_URL', () => {
    const file = join(tempDir(), 'queue');
    writeFileSync(file, '# the team queue\n\n  redis://alice:p%40ss@queue.lan:6380/2  \n');
    const env = { REDIS_URL: 'redis://env-host:6379' };
    expect(resolveQueueUrl({ url: 'redis://flag-host:1234', env })).toBe('redis://flag-host:1234');
    expect(resolveQueueUrl({ file, env })).toBe('redis://alice:p%40ss@queue.lan:6380/2');
    expect(resolveQueueUrl({ env })).toBe('redis://env-host:6379');
    expect(() => resolveQueueUrl({ env: {} })).toThrow('no queue given: pass --queue redis://host:port, --queue-file FILE, or set REDIS_URL');
    expect(() => resolveQueueUrl({ url: 'redis://a:1', file })).toThrow('give the queue either as a URL or as a file holding it, not both');
    expect(() => resolveQueueUrl({ file: join(tempDir(), 'missing') })).toThrow(/^cannot read the queue file .*missing \(ENOENT\)$/);
    const empty = join(tempDir(), 'empty');
    writeFileSync(empty, '# nothing yet\n');
    expect(() => resolveQueueUrl({ file: empty })).toThrow(`the queue file ${empty} holds no URL; write redis://[user:password@]host:port[/db] on its first line`);
  });

  it('is read into connection options: user, password, database, TLS for rediss://', () => {
    expect(connectionOptions('redis://alice:p%40ss@queue.lan:6380/2')).toEqual({ host: 'queue.lan', port: 6380, db: 2, username: 'alice', password: 'p@ss' });
    expect(connectionOptions('redis://:only-pass@[::1]')).toEqual({ host: '::1', port: 6379, db: 0, password: 'only-pass' });
    expect(connectionOptions('rediss://queue.example.org:6390')).toEqual({ host: 'queue.example.org', port: 6390, db: 0, tls: { servername: 'queue.example.org' } });
    expect(connectionOptions('rediss://10.0.0.7:6390')).toEqual({ host: '10.0.0.7', port: 6390, db: 0, tls: {} });
  });

  it('that cannot be used is refused, saying why, without its credentials', () => {
    const refused = (url: string): string => {
      try {
        connectionOptions(url);
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    };
    const expected = '; expected redis://[user:password@]host:port[/db] (rediss:// for TLS)';
    expect(refused('http://bob:hunter2@host:80')).toBe(`http://***@host:80 is not a queue URL: the scheme is http${expected}`);
    expect(refused('redis://bob:hunter2@host:6379/cache')).toBe(`redis://***@host:6379/cache is not a queue URL: the database "cache" is not a number${expected}`);
    expect(refused('redis://bob:hunter2@host:6379?tls=1')).toBe(`redis://***@host:6379?tls=1 is not a queue URL: it has a query or fragment, which rxlab does not read${expected}`);
    expect(refused('queue.lan:6379')).toBe(`queue.lan:6379 is not a queue URL: the scheme is queue.lan${expected}`);
    expect(refused('redis://bob:hunter2@:6379')).toBe(`redis://***@:6379 is not a queue URL: it does not parse as a URL${expected}`);
  });

  it('is shown without its credentials, and they are cut out of any text', () => {
    const url = 'redis://alice:s3cr%2Ft@queue.lan:6380/2';
    expect(redactUrl(url)).toBe('redis://***@queue.lan:6380/2');
    expect(redactUrl('redis://queue.lan:6380')).toBe('redis://queue.lan:6380');
    const redact = redactor(url);
    expect(redact(`connecting to ${url} failed`)).toBe('connecting to redis://***@queue.lan:6380/2 failed');
    // The password as the client library may quote it: decoded, or percent-encoded.
    expect(redact('AUTH alice s3cr/t rejected; s3cr%2Ft; alice:s3cr%2Ft')).toBe('AUTH alice *** rejected; ***; ***');
    expect(redactor('redis://queue.lan:6380')('nothing to hide')).toBe('nothing to hide');
  });
});

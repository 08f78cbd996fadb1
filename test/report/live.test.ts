import { get, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startLiveView, type LiveView } from '../../src/report/index.ts';
import { thinProgress } from '../../src/report/live.ts';

let live: LiveView | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

interface Received {
  id: number;
  event: { type: string; n?: number };
}

/** Opens the event stream and collects `count` events (with their ids), then disconnects. */
function events(url: string, count: number, lastEventId?: number): Promise<Received[]> {
  return new Promise((resolve, reject) => {
    const req = get(new URL('events', url), { agent: false, headers: lastEventId === undefined ? {} : { 'Last-Event-ID': String(lastEventId) } }, (res) => {
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      const got: Received[] = [];
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        const messages = text.split('\n\n');
        text = messages.pop()!;
        for (const m of messages) {
          const id = /^id: (\d+)$/m.exec(m)?.[1];
          const data = /^data: (.*)$/m.exec(m)?.[1];
          if (id && data) got.push({ id: Number(id), event: JSON.parse(data) });
        }
        if (got.length >= count) {
          req.destroy();
          resolve(got);
        }
      });
      res.on('end', () => resolve(got));
    });
    req.on('error', reject);
  });
}

function fetchStatus(url: string, opts: { method?: string; host?: string } = {}): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, method: opts.method ?? 'GET', headers: opts.host ? { Host: opts.host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startLiveView', () => {
  it('listens on 127.0.0.1 on a free port and serves the page, which may connect only to it', async () => {
    live = await startLiveView({ title: 'xor <mlp>' });
    expect(live.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetchStatus(live.url);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.body).toContain(`connect-src 'self'`);
    expect(page.body).toContain('<h1 id="title">xor &lt;mlp&gt;</h1>');
    expect((await fetchStatus(new URL('nope', live.url).href)).status).toBe(404);
    expect((await fetchStatus(live.url, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a request that names another host (a rebound DNS name), and takes localhost', async () => {
    live = await startLiveView({ title: 't' });
    const port = new URL(live.url).port;
    expect((await fetchStatus(live.url, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await fetchStatus(live.url, { host: `localhost:${port}` })).status).toBe(200);
  });

  it('replays what was published before a page connected, then streams the rest', async () => {
    live = await startLiveView({ title: 't' });
    for (let n = 1; n <= 3; n++) live.publish({ type: 'progress', n });
    const stream = events(live.url, 5);
    await new Promise((r) => setTimeout(r, 50));
    live.publish({ type: 'progress', n: 4 });
    live.publish({ type: 'finished', status: 'completed' });
    expect(await stream).toEqual([1, 2, 3, 4].map((n) => ({ id: n, event: { type: 'progress', n } })).concat([{ id: 5, event: { type: 'finished', status: 'completed' } as never }]));
  });

  it('gives pages that connect while events pour in each event once, in order', async () => {
    live = await startLiveView({ title: 't' });
    const total = 3000;
    const publishing = (async () => {
      for (let n = 1; n < total; n++) {
        live!.publish({ type: 'message', n });
        if (n % 25 === 0) await new Promise((r) => setImmediate(r));
      }
      live!.publish({ type: 'finished', status: 'completed' });
    })();
    const pages = [0, 2, 5, 11].map(async (ms) => {
      await new Promise((r) => setTimeout(r, ms));
      return events(live!.url, total);
    });
    await publishing;
    for (const got of await Promise.all(pages)) expect(got.map((e) => e.id)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('thins a stage that reports faster than a page can draw to 50 progress events a batch, evenly spaced, its last kept', async () => {
    live = await startLiveView({ title: 't' });
    const stream = events(live.url, 1e9);
    // 10,000 epochs at once (one batch), between a message and the end.
    live.publish({ type: 'message', stage: 'train', text: 'start' });
    for (let n = 1; n <= 10_000; n++) live.publish({ type: 'progress', stage: 'train', current: n, total: 10_000 });
    live.publish({ type: 'progress', stage: 'evaluate', current: 1, total: 1 });
    live.publish({ type: 'finished', status: 'completed' });
    const got = (await stream).map((e) => e.event as { type: string; stage?: string; current?: number });
    const epochs = got.filter((e) => e.stage === 'train' && e.type === 'progress').map((e) => e.current);
    expect(epochs).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 200));
    expect(got.map((e) => e.type)).toEqual(['message', ...epochs.map(() => 'progress'), 'progress', 'finished']);
  });

  it('sends only the events the page reads: not an engine\'s per-epoch output events, nor anything without a known type', async () => {
    live = await startLiveView({ title: 't' });
    const stream = events(live.url, 1e9);
    live.publish({ type: 'stage-start', stage: 'train' });
    for (let n = 1; n <= 1000; n++) live.publish({ type: 'output', stage: 'train', name: 'epochs' });
    live.publish({ type: 'stage-failed', stage: 'train' });
    live.publish({ kind: 'no type' });
    live.publish({ type: 'finished', status: 'completed' });
    expect((await stream).map((e) => e.event.type)).toEqual(['stage-start', 'finished']);
  });

  it('thins each stage of each trial on its own, and keeps every event of a stage within its share', () => {
    const burst = (trial: string, stage: string, count: number) => Array.from({ length: count }, (_, i) => ({ type: 'progress', trial, stage, current: i + 1 }));
    const kept = thinProgress([...burst('t1', 'train', 7), ...burst('t2', 'train', 100), ...burst('t1', 'fit', 3)], 5) as { trial: string; stage: string; current: number }[];
    expect(kept.map((e) => `${e.trial}.${e.stage}.${e.current}`)).toEqual([
      ...[2, 3, 5, 6, 7].map((n) => `t1.train.${n}`),
      ...[20, 40, 60, 80, 100].map((n) => `t2.train.${n}`),
      ...[1, 2, 3].map((n) => `t1.fit.${n}`),
    ]);
  });

  it('resumes a reconnecting page after the last event it saw', async () => {
    live = await startLiveView({ title: 't' });
    for (let n = 1; n <= 4; n++) live.publish({ type: 'progress', n });
    // Once the batch has gone out, as it had for the page that saw events 1 and 2.
    await new Promise((r) => setTimeout(r, 150));
    expect((await events(live.url, 2, 2)).map((e) => e.id)).toEqual([3, 4]);
  });

  it('ends the streams after the run\'s last event, and tells a page that saw it not to reconnect', async () => {
    live = await startLiveView({ title: 't' });
    live.publish({ type: 'progress', n: 1 });
    const open = events(live.url, 99);
    await new Promise((r) => setTimeout(r, 50));
    live.publish({ type: 'finished', status: 'completed' });
    expect((await open).map((e) => e.event.type)).toEqual(['progress', 'finished']);
    // A page opened afterwards gets it all, and the stream ends.
    expect((await events(live.url, 99)).map((e) => e.id)).toEqual([1, 2]);
    const again = await new Promise<number>((resolve, reject) =>
      get(new URL('events', live!.url), { agent: false, headers: { 'Last-Event-ID': '2' } }, (res) => resolve(res.statusCode!)).on('error', reject),
    );
    expect(again).toBe(204);
  });

  it('ends open streams on close, and ignores what is published after', async () => {
    live = await startLiveView({ title: 't' });
    live.publish({ type: 'progress', n: 1 });
    const stream = events(live.url, 99);
    await new Promise((r) => setTimeout(r, 50));
    await live.close();
    expect(await stream).toHaveLength(1);
    live.publish({ type: 'progress', n: 2 });
    await expect(fetchStatus(live.url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('says which address it could not listen on', async () => {
    live = await startLiveView({ title: 't' });
    const port = Number(new URL(live.url).port);
    await expect(startLiveView({ title: 't', port })).rejects.toThrow(`rxlab live view: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
  });
});

/**
 * The live view: a page on a local HTTP server that shows a run (or a sweep) as it happens,
 * fed by server-sent events. Whatever is published goes to every open page at once, and is
 * kept: a page opened late (or reconnecting, with the standard Last-Event-ID) first gets
 * every event it has not seen. Events go out in batches (every FLUSH_MS); a stage that
 * reports progress faster than a page can draw it (the fused trainer runs thousands of epochs
 * a second) is thinned to PROGRESS_PER_FLUSH of its progress events per batch, evenly spaced,
 * its last one always kept: the curve keeps its shape, the page keeps up, and the run's
 * report.html has every epoch. After a `finished` or `failed` event the streams end, and a
 * page that reconnects having seen everything is told not to come back (HTTP 204). The
 * protocol is in live-events.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { html, type Html } from './html.ts';
import { LIVE_EVENT_TYPES } from './live-events.ts';
import { page } from './page.ts';

export interface LiveViewOptions {
  /** 0 (the default) takes any free port. */
  port?: number;
  /** The address to listen on; only this machine can connect to the default, 127.0.0.1. */
  host?: string;
  /** The page's heading, e.g. the pipeline's name. */
  title: string;
}

export interface LiveView {
  /** The page's address, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** Sends an event (a JSON object with a `type` of live-events.ts's; others are dropped) to every open page, and keeps it for pages yet to open. Does nothing once closed. */
  publish(event: object): void;
  /** Ends every open event stream and stops the server. */
  close(): Promise<void>;
}

/** A comment line now and then keeps idle event streams from being cut by whatever sits between. */
const HEARTBEAT_MS = 15_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
/** The events that end a run or a sweep (live-events.ts). */
const END = new Set<unknown>(['finished', 'failed']);
const FLUSH_MS = 100;
const PROGRESS_PER_FLUSH = 50;

/** `events` with each stage's (and trial's) progress events thinned to `keep`, evenly spaced, the last kept; the other events all kept, in order. */
export function thinProgress(events: readonly object[], keep: number): object[] {
  const key = (e: object): string | undefined => {
    const { type, stage, trial } = e as { type?: unknown; stage?: unknown; trial?: unknown };
    return type === 'progress' ? `${String(trial ?? '')}\u0000${String(stage)}` : undefined;
  };
  const counts = new Map<string, number>();
  for (const e of events) {
    const k = key(e);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  return events.filter((e) => {
    const k = key(e);
    if (k === undefined) return true;
    const total = counts.get(k)!;
    const i = seen.get(k) ?? 0;
    seen.set(k, i + 1);
    // Keep the i-th of `total` when it is the last of its share of `keep` evenly spaced slots.
    return total <= keep || Math.floor(((i + 1) * keep) / total) > Math.floor((i * keep) / total);
  });
}

function liveBody(title: string): Html {
  return html`<header><div class="kind">rxlab live</div><h1 id="title">${title}</h1><div class="meta"><span id="status"></span><span id="facts"></span></div></header>
<main>
<section id="sweep" hidden><h2>Trials</h2><table class="trials"><thead><tr id="trial-head"></tr></thead><tbody id="trials"></tbody></table></section>
<section><h2>Stages</h2><table class="stages"><thead><tr><th>stage</th><th>uses</th><th>state</th><th>progress</th><th class="num">loss</th><th class="num">time</th></tr></thead><tbody id="stages"></tbody></table></section>
<section id="metrics-section" hidden><h2>Metrics</h2><table><tbody id="metrics"></tbody></table></section>
<section><h2>Loss curves</h2><figure class="chart" id="loss"><div class="view"></div><figcaption class="hint">wheel: zoom · drag: pan · double-click: reset</figcaption></figure></section>
<section><h2>Messages</h2><div class="log" id="log"></div></section>
</main>`;
}

/** `host:port` as a URL writes it. */
const authority = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** Starts the server; resolves once it listens. */
export function startLiveView(options: LiveViewOptions): Promise<LiveView> {
  const { port = 0, host = '127.0.0.1', title } = options;
  const pageHtml = page({ title: `rxlab live · ${title}`, body: liveBody(title), charts: [], client: 'live', data: { title } });
  /** Every event sent so far, as JSON; event i has id i + 1. */
  const events: string[] = [];
  /** Published since the last flush. */
  let pending: object[] = [];
  /** How many of them the open streams have been sent; the rest go out at the next flush. */
  let sent = 0;
  const streams = new Set<ServerResponse>();
  let closed = false;
  /** A `finished` or `failed` event waits to be sent; once it is, `ended`: streams end after it, and pages stop there. */
  let ending = false;
  let ended = false;
  let flushing: NodeJS.Timeout | undefined;
  let allowedHosts: Set<string> | undefined;

  const message = (i: number): string => `id: ${i + 1}\ndata: ${events[i]}\n\n`;

  /** Sends the events published since the last flush to every open stream, in one write each. */
  const flush = (): void => {
    clearTimeout(flushing);
    flushing = undefined;
    for (const event of thinProgress(pending, PROGRESS_PER_FLUSH)) events.push(JSON.stringify(event));
    pending = [];
    const chunk = events.slice(sent).map((_, k) => message(sent + k)).join('');
    sent = events.length;
    ended ||= ending;
    for (const res of streams) {
      res.write(chunk);
      if (ended) res.end();
    }
    if (ended) streams.clear();
  };

  const serveEvents = (req: IncomingMessage, res: ServerResponse): void => {
    const seen = Number(req.headers['last-event-id']);
    const from = Number.isInteger(seen) && seen > 0 ? Math.min(seen, sent) : 0;
    // A page that has seen the end: 204 is how server-sent events say "do not reconnect".
    if (ended && from === sent) {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(`retry: 1000\n\n${events.slice(from, sent).map((_, k) => message(from + k)).join('')}`);
    if (ended) res.end();
    else {
      streams.add(res);
      req.on('close', () => streams.delete(res));
    }
  };

  const server = createServer((req, res) => {
    // A page elsewhere that names this machine under its own host name (DNS rebinding) is refused.
    if (allowedHosts && !allowedHosts.has(req.headers.host ?? '')) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('rxlab live view: unexpected Host header\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(pageHtml);
    } else if (path === '/events') {
      serveEvents(req, res);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return new Promise((resolve, reject) => {
    server.once('error', (err) => {
      clearInterval(heartbeat);
      reject(new Error(`rxlab live view: cannot listen on ${authority(host, port)}: ${err.message}`));
    });
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      if (LOOPBACK.has(host)) allowedHosts = new Set([...LOOPBACK].map((name) => authority(name, actual)));
      resolve({
        url: `http://${authority(host, actual)}/`,
        publish(event) {
          if (closed || !LIVE_EVENT_TYPES.has((event as { type?: unknown }).type)) return;
          pending.push(event);
          ending ||= END.has((event as { type?: unknown }).type);
          // One write per stream for all the events of a batch, not one per event.
          flushing ??= setTimeout(flush, FLUSH_MS);
        },
        close() {
          if (closed) return Promise.resolve();
          flush();
          closed = true;
          clearInterval(heartbeat);
          for (const res of streams) res.end();
          return new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
        },
      });
    });
  });
}

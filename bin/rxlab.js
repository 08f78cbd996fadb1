#!/usr/bin/env node
// Entry point. Runs the bundle that `npm install` builds (dist/rxlab.mjs) when it is newer
// than every source file; otherwise the TypeScript sources through tsx, so an edited
// checkout never runs stale code. An installed package has no sources: it runs the bundle.
//
// Ctrl-C, SIGTERM and a closed stdout (`rxlab run … | head -1`) are taken first thing,
// before rxlab's code is loaded (which takes a while). Until a command that records a run
// (run, sweep, check) has started its work, nothing has been written: a signal ends the
// process at once. From then on it is handed over as an abort signal (src/cli/interrupt.ts
// takes it), so the run stops cleanly: run.json says "interrupted", nothing half-written.
// A second signal ends the process at once.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

const RECORDING = new Set(['run', 'sweep', 'check']);
const records = process.argv.slice(2).some((arg) => RECORDING.has(arg));
// Workers listen themselves. A sweep's (src/sweep/worker.ts): a Ctrl-C reaches it and then
// its parent's SIGTERM, which must not count as a second Ctrl-C; its parent kills it if it
// lingers. A queue's (`rxlab worker`, src/cli/worker.ts): a signal hands its running trial
// back to the queue, and one with --concurrency passes it on to its worker processes and
// waits for them. Until they listen, a signal ends them at once: nothing is taken yet.
const worker = process.argv[2] === '__trial-worker' || process.argv[2] === 'worker';
// A worker runs trial after trial of mostly lukewarm code (loading, recording, charts), and
// V8 kept compiling functions that run a few times a trial with its optimizing compiler, on
// threads that take cores from the other workers. Asking for 8 times V8's default evidence
// (66 KiB of bytecode run) before optimizing a function cuts a worker's CPU time per seed
// trial by about a quarter; hot loops are still optimized within milliseconds
// (BENCHMARKS.md, sweep and queue).
if (worker) setFlagsFromString(`--interrupt-budget=${8 * 66 * 1024}`);
// Shared with src/cli/interrupt.ts as a global symbol, as tsx's registration is.
const interruption = { controller: new AbortController(), handedOver: false, stdoutClosed: false };
globalThis[Symbol.for('rxlab.interruption')] = interruption;
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 };
for (const signal of worker ? [] : ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interruption.handedOver && !interruption.controller.signal.aborted) return interruption.controller.abort(signal);
    if (!interruption.handedOver && records) process.stderr.write('rxlab: interrupted while starting; nothing was run\n');
    process.exit(records ? 1 : EXIT_CODES[signal]);
  });
}
// The reader of stdout (or stderr) went away: nothing more can be shown, so nothing more is
// written there; a run stops as if interrupted (and says so on stderr, if that is still open).
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  if (interruption.stdoutClosed) return;
  interruption.stdoutClosed = true;
  process.stdout.write = () => true;
  if (interruption.handedOver) interruption.controller.abort('EPIPE');
});
process.stderr.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.stderr.write = () => true;
});

const root = new URL('../', import.meta.url);
const mtime = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = existsSync(new URL('src/', root)) ? readdirSync(new URL('src/', root), { recursive: true }) : [];
const newestSource = sources.length ? Math.max(...sources.map((f) => mtime(new URL(`src/${f}`, root))), mtime(new URL('package.json', root))) : 0;
let main;
if (mtime(new URL('dist/rxlab.mjs', root)) > newestSource) {
  ({ main } = await import('../dist/rxlab.mjs'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  globalThis[Symbol.for('rxlab.tsx-registered')] = true; // see src/typescript.ts
  ({ main } = await import('../src/cli.ts'));
}
// tfjs may keep handles open; the exit code is decided, so leave now.
process.exit(await main(process.argv.slice(2)));

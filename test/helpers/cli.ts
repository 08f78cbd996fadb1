/** The CLI as a user runs it, for the error tests: a real child process, its output and exit code. */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect } from 'vitest';
import { tempDir } from './engine.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'rxlab.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'errors');

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Options {
  /** Where it runs: the errors fixtures by default, so messages name files as given. */
  cwd?: string;
  /** Options for node itself, before bin/rxlab.js (e.g. `--import` a fault injector). */
  node?: string[];
  env?: Record<string, string>;
  /** Run as this user (needs root). */
  uid?: number;
  gid?: number;
}

const spawnOptions = (options: Options) => ({ cwd: options.cwd ?? FIXTURES, env: { ...process.env, ...options.env }, uid: options.uid, gid: options.gid });

/** `rxlab ...args`, waited for. */
export function rxlab(args: string[], options: Options = {}): Result {
  const result = spawnSync(process.execPath, [...(options.node ?? []), BIN, ...args], { ...spawnOptions(options), encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `rxlab ...args` without blocking this process (for runs that overlap). */
export function rxlabAsync(args: string[], options: Options = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(options.node ?? []), BIN, ...args], spawnOptions(options));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Starts `rxlab ...args`; calls `act` once `trigger` appears on stdout; resolves when the child has exited and its output is read. */
export function rxlabUntil(args: string[], trigger: string, act: (child: ReturnType<typeof spawn>) => void, cwd = FIXTURES) {
  return new Promise<Result & { signal: string | null; exitMs: number }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let actedAt = 0;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!actedAt && stdout.includes(trigger)) {
        actedAt = performance.now();
        act(child);
      }
    });
    let exitMs = 0;
    child.on('exit', () => (exitMs = performance.now() - actedAt));
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, exitMs }));
  });
}

/** A copy of a pipeline (and of its lock, when given) in a new folder, so runs never touch the committed files. */
export function copyPipeline(file: string, lock?: string): { dir: string; file: string; lock: string } {
  const dir = tempDir();
  const copy = join(dir, basename(file));
  copyFileSync(file, copy);
  const lockCopy = copy.replace(/\.ya?ml$/, '.lock.json');
  if (lock) copyFileSync(lock, lockCopy);
  return { dir, file: copy, lock: lockCopy };
}

/** Every file under `dir`, relative, sorted. */
export const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();

/** What a user must never see: a JavaScript stack trace or an unhandled error. */
export function expectNoCrash(result: Result): void {
  expect(result.stderr).not.toMatch(/^\s+at .+[:(]\d+/m);
  expect(result.stderr).not.toMatch(/Unhandled|Uncaught|TypeError|ReferenceError|Node\.js v\d/);
}

/**
 * A CLI's error output without the excerpts it shows under each positioned diagnostic
 * (` 12 |     with: …` and the caret line under it): for tests about the messages themselves.
 */
export const withoutExcerpts = (stderr: string): string =>
  stderr
    .split('\n')
    .filter((line) => !/^ +(\d+ )?\| /.test(line) && !/^ +\|$/.test(line))
    .join('\n');

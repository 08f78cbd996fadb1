/** The CLI as a user runs it: a real child process, real signals, real exit codes. */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli/options.ts';
import { parseOverrides } from '../src/engine/load/overrides.ts';
import { runName } from '../src/engine/record/target.ts';
import type { Lockfile } from '../src/engine/record/lock.ts';
import { tempDir } from './helpers/engine.ts';
import { rxlabUntil } from './helpers/cli.ts';
import { ROOT, rxlab as runRxlab } from './helpers/cli.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'engine');

const rxlab = (...args: string[]) => runRxlab(args, { cwd: ROOT });

/** Starts `rxlab run ARGS` from the project folder; see rxlabUntil. */
const runUntil = (args: string[], trigger: string, act: (child: ChildProcess) => void) => rxlabUntil(['run', ...args], trigger, act, process.cwd());

describe('rxlab CLI', () => {
  it('prints its version and help', () => {
    const version = rxlab('--version');
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^rxlab \d+\.\d+\.\d+\n$/);
    const help = rxlab('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: rxlab <command> [FILE …] [options]');
    expect(help.stdout).toContain('--out DIR');
    expect(help.stdout).toMatch(/^ {2}check \[FILE\|GLOB …\] +run each pipeline from scratch in a temporary folder and compare every artifact with its lock; all of the project's pipelines when none is given$/m);
    expect(help.stdout).toMatch(/^ {2}init \[DIR\] +create a new experiment project in DIR/m);
    expect(help.stdout).toMatch(/^ {2}-v, --verbose +more detail: a line per file written; check shows the runs \[run, check\]$/m);
    expect(help.stdout).toMatch(/^ {2}--force \[STAGE\] +run every stage, or only STAGE \(repeatable\), even when it matches the lock \[run\]$/m);
    expect(help.stdout).toMatch(/^ {2}--tolerance N +.* \[check\]$/m);
  });

  it('reads --force alone as every stage and --force ID as one, wherever the file is', () => {
    expect(parseCliArgs(['run', 'p.yaml', '--force']).force).toBe('all');
    expect(parseCliArgs(['run', '--force', 'p.yaml'])).toMatchObject({ force: 'all', file: 'p.yaml' });
    expect(parseCliArgs(['run', '--force', 'train', 'p.yaml', '--force=evaluate'])).toMatchObject({ force: ['train', 'evaluate'], file: 'p.yaml' });
    expect(parseCliArgs(['run', 'p.yaml', '--out', 'x', '--force', '--frozen'])).toMatchObject({ force: 'all', out: 'x', frozen: true });
    expect(parseCliArgs(['run', 'p.yaml']).force).toEqual([]);
  });

  it('refuses an option its command does not take, and a tolerance that is not a number', () => {
    expect(() => parseCliArgs(['check', 'p.yaml', '--force'])).toThrow('--force applies to rxlab run, not rxlab check');
    expect(() => parseCliArgs(['run', 'p.yaml', '--tolerance', '1e-6'])).toThrow('--tolerance applies to rxlab check, not rxlab run');
    expect(() => parseCliArgs(['check', 'p.yaml', '--tolerance', 'tiny'])).toThrow('--tolerance expects a number ≥ 0 such as 1e-6, found "tiny"');
    expect(parseCliArgs(['check', 'p.yaml', '--tolerance', '1e-6']).tolerance).toBe(1e-6);
  });

  it('names an overridden run by what it sets, in any order, the last --set of a param winning', () => {
    const name = (...sets: string[]) => runName(parseOverrides(sets).overrides);
    expect(name('train.epochs=20', 'train.optimizer.lr=0.1')).toBe('epochs=20,lr=0.1');
    expect(name('train.optimizer.lr=0.1', 'train.epochs=20')).toBe('epochs=20,lr=0.1');
    expect(name('train.epochs=5', 'train.optimizer.lr=0.1', 'train.epochs=20')).toBe('epochs=20,lr=0.1');
    // Params with the same last name are told apart by as much of their path as it takes.
    expect(name('train.optimizer.lr=0.1', 'other.optimizer.lr=0.2', 'model.layers=[2,4,1]')).toBe('layers=[2,4,1],other.optimizer.lr=0.2,train.optimizer.lr=0.1');
    expect(name('data.noise=small')).toBe('noise=small');
  });

  it('exits 2 on an unknown command or flag, naming the one meant when one is near', () => {
    const command = rxlab('fly', 'x.yaml');
    expect(command.status).toBe(2);
    expect(command.stderr).toBe('rxlab: unknown command "fly"; commands are run, plan, check, status, sweep, init\n');
    expect(rxlab('runn', 'x.yaml').stderr).toBe('rxlab: unknown command "runn" (did you mean "run"?); commands are run, plan, check, status, sweep, init\n');
    const flag = rxlab('run', 'x.yaml', '--fast');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toBe('rxlab: unknown option --fast; see rxlab --help\n');
    // parseArgs' own text (with its unbalanced quote) never reaches the user.
    expect(rxlab('run', 'x.yaml', '--sett', 'train.epochs=2').stderr).toBe('rxlab: unknown option --sett (did you mean --set?); see rxlab --help\n');
    expect(() => parseCliArgs(['run', 'x.yaml', '--frozn'])).toThrow('unknown option --frozn (did you mean --frozen?); see rxlab --help');
    expect(() => parseCliArgs(['run', 'x.yaml', '--out'])).toThrow('--out needs a value (DIR); see rxlab --help');
    expect(() => parseCliArgs(['run', 'a.yaml', 'b.yaml'])).toThrow('unexpected argument "b.yaml"; rxlab run takes FILE');
    expect(parseCliArgs(['check', 'a.yaml', 'b.yaml']).operands).toEqual(['a.yaml', 'b.yaml']);
    expect(parseCliArgs(['run', 'a.yaml', '-v']).verbose).toBe(true);
  });

  it('plans without running anything', () => {
    const out = rxlab('plan', join(FIXTURES, 'slow.yaml'));
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('pipeline slow: 1 stages');
    expect(out.stdout).toContain('[0] steps (../stages/slow-steps.ts)');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops within 1 s on ${signal}, exit code 1, run.json says interrupted`, async () => {
      const out = tempDir();
      const result = await runUntil([join(FIXTURES, 'slow.yaml'), '--out', out], 'steps: 100/1000', (child) => child.kill(signal));
      expect(result.status).toBe(1);
      expect(result.exitMs).toBeLessThan(1000);
      expect(result.stderr).toContain('run interrupted');
      const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
      expect(manifest.status).toBe('interrupted');
      expect(manifest.stages.steps.status).toBe('interrupted');
      expect(readdirSync(join(out, 'steps'))).toEqual([]);
      // No lock for a run that did not complete.
      expect(existsSync(join(FIXTURES, 'slow.lock.json'))).toBe(false);
    });
  }

  it('records what ran, not an edit made to the pipeline file while it ran', async () => {
    const dir = tempDir();
    const file = join(dir, 'slow.yaml');
    const stage = join(import.meta.dirname, 'fixtures', 'stages', 'slow-steps.ts');
    const text = (steps: number): string => `name: slow\nstages:\n  steps:\n    uses: ${stage}\n    with: { steps: ${steps}, every_ms: 10 }\n`;
    writeFileSync(file, text(60));
    const out = join(dir, 'out');
    const result = await runUntil([file, '--out', out], 'steps: started', () => writeFileSync(file, text(61)));
    expect(result.status).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, 'slow.lock.json'), 'utf8')) as Lockfile;
    expect(lock.stages.steps.params).toEqual({ steps: 60, every_ms: 10, artifact_mb: 0 });
    expect(readFileSync(join(out, 'steps', 'big.bin')).byteLength).toBe(0);
    const status = rxlab('status', file, '--out', out);
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/^steps +changed +params changed: steps 60 → 61$/m);
  });

  it('leaves no partial artifact when killed outright mid-write, and the next run sweeps the leftovers', async () => {
    const out = tempDir();
    const result = await runUntil([join(FIXTURES, 'big-write.yaml'), '--out', out], 'writing the artifact', (child) =>
      setTimeout(() => child.kill('SIGKILL'), 50),
    );
    expect(result.signal).toBe('SIGKILL');
    const artifactPath = join(out, 'steps', 'big.bin');
    // Either the rename had not happened (no file) or it had (the whole file): never a partial one.
    if (existsSync(artifactPath)) expect(statSync(artifactPath).size).toBe(600 * 1024 * 1024);
    const again = rxlab('run', join(FIXTURES, 'slow.yaml'), '--out', out, '--set', 'steps.steps=1');
    expect(again.status).toBe(0);
    expect(readdirSync(out, { recursive: true }).filter((f) => String(f).includes('.rxlab-tmp-'))).toEqual([]);
  });
});

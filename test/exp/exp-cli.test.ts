/**
 * Experiments as a user meets them, through real `rxlab` processes: every run on record
 * (concurrent ones, an interrupted one, a killed one, sweep trials, a check), then
 * `rxlab exp show`, `exp diff` and `exp apply`, and `run --set … --update-lock`.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/exp/history.ts';
import type { Lockfile } from '../../src/engine/index.ts';
import { tempDir } from '../helpers/engine.ts';
import { ROOT, rxlab as runRxlab, rxlabAsync, rxlabUntil } from '../helpers/cli.ts';

const STAGE = join(ROOT, 'test', 'fixtures', 'exp', 'bowl.ts');

/** The bowl pipeline, with comments, in a git repository of its own. */
const bowlText = `# A bowl whose best point is x = 3.
name: bowl
stages:
  fit:
    uses: ${STAGE}
    # where to look
    with:
      x: 0   # far from the best
      y: 1

  best:
    uses: ${STAGE}
    with: { x: 3, note: "after x=\${fit.x}" }
`;

function bowl(): { dir: string; file: string; rxlab: (...args: string[]) => ReturnType<typeof runRxlab> } {
  const dir = tempDir();
  writeFileSync(join(dir, 'bowl.yaml'), bowlText);
  writeFileSync(join(dir, '.gitignore'), 'outputs/\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'bowl');
  return { dir, file: join(dir, 'bowl.yaml'), rxlab: (...args) => runRxlab(args, { cwd: dir }) };
}

const recordsOf = (rxlab: ReturnType<typeof bowl>['rxlab']): RunRecord[] => {
  const shown = rxlab('exp', 'show', 'bowl.yaml', '--json');
  expect(shown.status, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout) as RunRecord[];
};
const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('every run on record', () => {
  it('keeps base and --set runs, concurrent ones, an interrupted one and a killed one', async () => {
    const { dir, rxlab } = bowl();
    expect(rxlab('run', 'bowl.yaml').status).toBe(0);
    const together = await Promise.all(
      [['--set', 'fit.x=1'], ['--set', 'fit.x=2'], ['--set', 'fit.x=3', '--name', 'third']].map((args) => rxlabAsync(['run', 'bowl.yaml', ...args], { cwd: dir })),
    );
    expect(together.map((r) => r.status)).toEqual([0, 0, 0]);
    const slow = ['run', 'bowl.yaml', '--set', 'fit.steps=2000', '--set', 'fit.every_ms=5'];
    const interrupted = await rxlabUntil([...slow, '--name', 'stopped'], 'fit: 200/2000', (child) => child.kill('SIGINT'), dir);
    expect(interrupted.status).toBe(1);
    const killed = await rxlabUntil([...slow, '--name', 'killed'], 'fit: 200/2000', (child) => child.kill('SIGKILL'), dir);
    expect(killed.signal).toBe('SIGKILL');

    const records = recordsOf(rxlab);
    const by = (name: string): RunRecord => records.find((r) => r.name === name)!;
    expect(records.map((r) => [r.name, r.kind, r.status]).sort()).toEqual(
      [
        ['base', 'run', 'completed'],
        ['x=1', 'run', 'completed'],
        ['x=2', 'run', 'completed'],
        ['third', 'run', 'completed'],
        ['stopped', 'run', 'interrupted'],
        ['killed', 'run', 'interrupted'],
      ].sort(),
    );
    expect(by('stopped').error).toBe('interrupted by a signal before the run finished');
    expect(by('killed').error).toMatch(/^its process \(pid \d+\) ended without recording how the run ended/);
    const apply = rxlab('exp', 'apply', 'bowl.yaml', 'stopped');
    expect([apply.status, apply.stderr]).toEqual([2, `rxlab exp: run ${by('stopped').id} (stopped) interrupted; apply takes a completed run\n`]);
    // A file with a mistake runs nothing and leaves no record.
    expect(rxlab('run', 'bowl.yaml', '--set', 'fit.x=far').status).toBe(2);
    expect(recordsOf(rxlab)).toHaveLength(6);
    // What a record holds: params as they ran, metrics, artifact hashes, git, where the outputs are.
    const third = by('third');
    expect(third.overrides).toEqual(['fit.x=3']);
    expect(third.params.fit).toEqual({ x: 3, y: 1, steps: 1, every_ms: 0, note: '' });
    expect(third.params.best.note).toBe('after x=3');
    expect(third.metrics).toEqual({ 'fit.score': -1, 'fit.loss': 1, 'best.score': 0, 'best.loss': 0 });
    expect(third.directions).toEqual({ 'fit.score': 'maximize', 'fit.loss': 'minimize', 'best.score': 'maximize', 'best.loss': 'minimize' });
    expect(third.outDir).toBe(join(dir, 'outputs', 'bowl', 'runs', 'third'));
    expect(Object.keys(third.artifacts)).toEqual(['fit/point.json', 'best/point.json']);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    // The lock the first run wrote is not committed: the tree differs from HEAD from then on.
    expect(by('base').git).toEqual({ commit: head, dirty: false });
    expect(third.git).toEqual({ commit: head, dirty: true });
  });

  it('keeps sweep trials, with their sweep, and checks, with their result', () => {
    const { dir, rxlab } = bowl();
    expect(rxlab('run', 'bowl.yaml').status).toBe(0);
    expect(rxlab('sweep', 'bowl.yaml', '--grid', 'fit.x=1,4', '--jobs', '1', '--out', 'sw').status).toBe(0);
    const check = rxlab('check', 'bowl.yaml');
    expect(check.status, check.stderr).toBe(0);
    const records = recordsOf(rxlab);
    expect(records.map((r) => [r.kind, r.name, r.sweep?.trial, r.status])).toEqual([
      ['run', 'base', undefined, 'completed'],
      ['trial', 'x=1', 'trial-001', 'completed'],
      ['trial', 'x=4', 'trial-002', 'completed'],
      ['check', 'check', undefined, 'completed'],
    ]);
    expect(records[1].sweep!.dir).toBe(join(dir, 'sw'));
    expect(records[2].metrics['fit.loss']).toBe(2);
    expect(records[3].check).toEqual({ ok: true, same: 2, changed: 0, missing: 0, new: 0 });
    expect(records[3].outDir).toBeUndefined();
  });
});

describe('rxlab exp show and diff', () => {
  /** One project for these tests, which only read it: base (x = 0), then x = 1, then x = 3. */
  let project: ReturnType<typeof bowl>;
  beforeAll(() => {
    project = bowl();
    for (const set of [[], ['--set', 'fit.x=1'], ['--set', 'fit.x=3']]) expect(project.rxlab('run', 'bowl.yaml', ...set).status).toBe(0);
  });
  /** The table's rows without the columns that change from run to run (id, time, duration, commit). */
  const steady = (stdout: string): string[] =>
    stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s{2,}/).filter((_, i) => ![0, 4, 5, 6].includes(i)).join(' | '));

  it('shows the params that differ and every metric, filtered and sorted, as text, CSV and JSON', () => {
    const { rxlab } = project;
    const all = rxlab('exp', 'show', 'bowl.yaml');
    expect(all.status).toBe(0);
    expect(all.stdout.split('\n')[0]).toBe('bowl: 3 of 3 runs on record (outputs/bowl/.history)');
    // fit.y is the same in every run; best.note follows fit.x (${fit.x}) and says nothing new.
    expect(steady(all.stdout)).toEqual([
      'name | kind | status | fit.x | fit.score | fit.loss | best.score | best.loss',
      'base | run | completed | 0 | -10 | 10 | 0 | 0',
      'x=1 | run | completed | 1 | -5 | 5 | 0 | 0',
      'x=3 | run | completed | 3 | -1 | 1 | 0 | 0',
    ]);
    const sorted = rxlab('exp', 'show', 'bowl.yaml', '--sort', 'fit.score', '--filter', 'fit.x>=1');
    expect(steady(sorted.stdout).slice(1).map((row) => row.split(' | ')[0])).toEqual(['x=3', 'x=1']);
    expect(sorted.stdout.split('\n')[0]).toBe('bowl: 2 of 3 runs on record (outputs/bowl/.history)');
    // A minimised metric sorts ascending: the best first again.
    expect(steady(rxlab('exp', 'show', 'bowl.yaml', '--sort', 'fit.loss').stdout).slice(1).map((row) => row.split(' | ')[0])).toEqual(['x=3', 'x=1', 'base']);

    const csv = rxlab('exp', 'show', 'bowl.yaml', '--all-params', '--filter', 'name=x=3', '--csv').stdout.split('\r\n');
    expect(csv[0]).toBe('id,name,kind,status,started,duration,commit,fit.x,fit.y,fit.steps,fit.every_ms,fit.note,best.x,best.note,best.y,best.steps,best.every_ms,fit.score,fit.loss,best.score,best.loss');
    expect(csv[1]).toMatch(/^[0-9a-f]{8},x=3,run,completed,\d{4}-\d\d-\d\dT[\d:.]+Z,[\d.]+,[0-9a-f]{7}\*,3,1,1,0,,3,after x=3,0,1,0,-1,1,0,0$/);
    expect(csv).toHaveLength(3);

    const records = JSON.parse(rxlab('exp', 'show', 'bowl.yaml', '--json', '--filter', 'fit.loss<6').stdout) as RunRecord[];
    expect(records.map((r) => r.name)).toEqual(['x=1', 'x=3']);
  });

  it('diffs two runs: params, metrics with their change and which way is better, artifacts', () => {
    const { rxlab } = project;
    const result = rxlab('exp', 'diff', 'bowl.yaml', 'base', 'x=3');
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^A: base \([0-9a-f]{8}, [\d-]+ [\d:]+\)$/);
    expect(lines[1]).toMatch(/^B: x=3 \([0-9a-f]{8}, [\d-]+ [\d:]+\)$/);
    expect(lines.slice(3)).toEqual([
      'param      A          B',
      'fit.x      0          3',
      'best.note  after x=0  after x=3',
      '',
      'metric      A    B   B − A',
      'fit.score   -10  -1  +9 (+90%), better',
      'fit.loss    10   1   −9 (−90%), better',
      'best.score  0    0   ±0',
      'best.loss   0    0   ±0',
      '',
      'artifact        change',
      'fit/point.json  changed',
      'artifacts: 1 differ, 1 the same',
    ]);
    const asJson = JSON.parse(rxlab('exp', 'diff', 'bowl.yaml', 'x=1', 'x=3', '--json').stdout);
    expect(asJson.metrics[1]).toEqual({ metric: 'fit.loss', a: 5, b: 1, delta: -4, direction: 'minimize', better: true });
    expect(asJson.params).toEqual([
      { param: 'fit.x', a: 1, b: 3 },
      { param: 'best.note', a: 'after x=1', b: 'after x=3' },
    ]);
  });

  it('names a run that is not there, a column that is not there and a bad filter, exit 2', () => {
    const { rxlab } = project;
    const none = rxlab('exp', 'diff', 'bowl.yaml', 'base', 'x=4');
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^rxlab exp: no run "x=4" in the history of bowl \(did you mean "x=1"\?\); give a run's id or name \(recent names: base, x=1, x=3\)/);
    const sort = rxlab('exp', 'show', 'bowl.yaml', '--sort', 'fit.scor');
    expect([sort.status, sort.stderr]).toEqual([2, 'rxlab exp: --sort fit.scor: no column "fit.scor" (did you mean "fit.score"?)\n']);
    const filter = rxlab('exp', 'show', 'bowl.yaml', '--filter', 'fit.x');
    expect([filter.status, filter.stderr]).toEqual([2, 'rxlab exp: --filter fit.x: expected KEY OP VALUE with OP one of <= >= != = < >, e.g. --filter evaluate.accuracy>=0.9\n']);
    expect(rxlab('exp', 'diff', 'bowl.yaml', 'base').stderr).toBe('rxlab: missing B; usage: rxlab exp diff FILE A B\n');
    expect(rxlab('exp', 'bowl.yaml').stderr).toBe('rxlab: unknown subcommand "exp bowl.yaml"; rxlab exp takes show, diff, apply\n');
    expect(rxlab('exp').stderr).toBe('rxlab exp: give a subcommand: show, diff, apply (e.g. rxlab exp show pipelines/perceptron.yaml)\n');
    expect(rxlab('exp', 'diff', 'bowl.yaml', 'a', 'b', '--sort', 'x').stderr).toBe('rxlab: --sort applies to rxlab exp show, not rxlab exp diff\n');
  });
});

describe('rxlab run --serve', () => {
  it('refuses a port it cannot have before running anything (exit 2), and a port that is not one', async () => {
    const { rxlab } = bowl();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const result = rxlab('run', 'bowl.yaml', '--serve', String(port));
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(
        `rxlab run: rxlab live view: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}; give another port with --serve PORT, or --serve alone for any free one; nothing was run\n`,
      );
      expect(recordsOf(rxlab)).toEqual([]);
    } finally {
      taken.close();
    }
    expect(rxlab('run', 'bowl.yaml', '--serve=70000').stderr).toBe('rxlab: --serve expects a port from 1 to 65535, or none for any free port, found "70000"\n');
  });
});

describe('rxlab exp apply and run --update-lock', () => {
  it('writes the run into the file, comments and layout kept, reusing its outputs; status then says up to date', () => {
    const { dir, rxlab } = bowl();
    expect(rxlab('run', 'bowl.yaml').status).toBe(0);
    expect(rxlab('run', 'bowl.yaml', '--set', 'fit.x=3').status).toBe(0);
    const applied = rxlab('exp', 'apply', 'bowl.yaml', 'x=3');
    expect(applied.status, applied.stderr).toBe(0);
    expect(readFileSync(join(dir, 'bowl.yaml'), 'utf8')).toBe(bowlText.replace('x: 0   # far from the best', 'x: 3   # far from the best'));
    expect(applied.stdout).toMatch(/^bowl\.yaml now has the params of run [0-9a-f]{8} \(x=3\): fit\.x 0 → 3, best\.note "after x=0" → "after x=3"$/m);
    expect(applied.stdout).toContain('from outputs/bowl/runs/x=3 into outputs/bowl and the lock: fit, best\n');
    // Nothing computed again: the run's outputs were verified by hash and reused.
    expect(applied.stdout).toContain('(0 ran, 2 cached); artifacts in outputs/bowl\nlock bowl.lock.json updated\n');
    const status = rxlab('status', 'bowl.yaml');
    expect([status.status, status.stdout.trimEnd().split('\n').at(-1)]).toEqual([0, 'all 2 stages up to date; rxlab run would run nothing']);
    const [committed, ofRun] = [json<Lockfile>(join(dir, 'bowl.lock.json')), json<Lockfile>(join(dir, 'outputs', 'bowl', 'runs', 'x=3', 'rxlab.lock.json'))];
    expect(committed.stages).toEqual(ofRun.stages);
    expect(readFileSync(join(dir, 'outputs', 'bowl', 'fit', 'point.json'), 'utf8')).toBe(readFileSync(join(dir, 'outputs', 'bowl', 'runs', 'x=3', 'fit', 'point.json'), 'utf8'));
    // The base run that followed is on record, as the committed pipeline.
    expect(recordsOf(rxlab).map((r) => [r.name, r.overrides, r.params.fit.x])).toEqual([
      ['base', [], 0],
      ['x=3', ['fit.x=3'], 3],
      ['base', [], 3],
    ]);
  });

  it('--update-lock writes the --set values into the file and runs it as committed', () => {
    const { dir, rxlab } = bowl();
    const result = rxlab('run', 'bowl.yaml', '--set', 'fit.y=0', '--set', 'fit.x=2.5', '--update-lock');
    expect(result.status, result.stderr).toBe(0);
    // The file says so once the run completed; a run that fails leaves it alone.
    expect(result.stdout).toContain('lock bowl.lock.json written\nbowl.yaml now sets fit.x 0 → 2.5, fit.y 1 → 0, best.note "after x=0" → "after x=2.5"\n');
    expect(readFileSync(join(dir, 'bowl.yaml'), 'utf8')).toBe(bowlText.replace('x: 0   # far from the best\n      y: 1', 'x: 2.5   # far from the best\n      y: 0'));
    expect(json<Lockfile>(join(dir, 'bowl.lock.json')).stages.fit.metrics).toEqual({ score: -0.25, loss: 0.25 });
    expect(rxlab('status', 'bowl.yaml').status).toBe(0);
    expect(rxlab('run', 'bowl.yaml', '--update-lock').stderr).toBe('rxlab: --update-lock writes --set values into FILE; give them with --set STAGE.PARAM=VALUE\n');
  });
});

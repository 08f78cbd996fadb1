/**
 * What rxlab writes, and what it never touches, through the real CLI: it writes only in
 * folders it made and marked; a folder of the user's is refused before anything runs
 * (exit 2, naming it); no symbolic link inside its folders is followed; a pipeline's
 * space belongs to one pipeline file; runs with --set and a plain run keep out of each
 * other's files.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.ts';
import { expectNoCrash, rxlab } from '../helpers/cli.ts';
import { TINY, expectRefused, project, snapshot } from './helpers.ts';

const run = (dir: string, ...args: string[]) => rxlab(['run', 'tiny.yaml', ...args], { cwd: dir });

describe('rxlab writes only in folders it made', () => {
  it('refuses --out on a folder of the user\'s files, naming it, and leaves every file as it was (exit 2)', () => {
    const dir = project();
    mkdirSync(join(dir, 'mine', 'data'), { recursive: true });
    writeFileSync(join(dir, 'mine', 'data', 'experiment-2019.csv'), '1,2,3\n');
    writeFileSync(join(dir, 'mine', 'run.json'), '{"mine": true}\n');
    const before = snapshot(join(dir, 'mine'));
    expectRefused(
      run(dir, '--out', 'mine'),
      `rxlab run: the outputs folder ${join(dir, 'mine')} holds files rxlab did not make (data, run.json); rxlab writes only in folders it made (they carry .rxlab/folder.json), so it leaves these alone: give the run a new or empty folder with --out DIR, or move those files away; nothing was run\n`,
    );
    expect(snapshot(join(dir, 'mine'))).toEqual(before);
  });

  it('refuses an empty --out (an unset shell variable) rather than write in the working directory (exit 2)', () => {
    const dir = project();
    writeFileSync(join(dir, 'mine.csv'), 'keep me\n');
    const before = snapshot(dir);
    expectRefused(run(dir, '--out', ''), 'rxlab run: --out is empty (an unset variable?); give it a folder, or leave it out to write to outputs/<pipeline name>; nothing was run\n');
    expectRefused(run(dir, '--out', '  '), '--out is empty');
    expect(snapshot(dir)).toEqual(before);
  });

  it('makes and marks a new folder, takes an empty one, and keeps writing in what it marked', () => {
    const dir = project();
    mkdirSync(join(dir, 'empty'));
    for (const out of ['new/deep', 'empty']) {
      expect(run(dir, '--out', out).status).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, out, '.rxlab', 'folder.json'), 'utf8'))).toEqual({ rxlab: 'rxlab output folder', pipeline: out === 'empty' ? '../tiny.yaml' : '../../tiny.yaml' });
      const again = run(dir, '--out', out);
      expect(again.status).toBe(0);
      expect(again.stdout).toContain('data: cached');
    }
  });

  it('leaves alone a file of the user\'s put into a folder it made', () => {
    const dir = project();
    expect(run(dir).status).toBe(0);
    writeFileSync(join(dir, 'outputs', 'tiny', 'notes.txt'), 'mine\n');
    expect(run(dir, '--force').status).toBe(0);
    expect(readFileSync(join(dir, 'outputs', 'tiny', 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('refuses a read-only parent of --out with a message, not a stack trace (exit 2)', () => {
    const dir = project();
    mkdirSync(join(dir, 'locked'));
    chmodSync(join(dir, 'locked'), 0o555);
    chmodSync(dir, 0o777);
    // Root may write anywhere: as root, the CLI runs as nobody to meet the permission.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const result = rxlab(['run', 'tiny.yaml', '--out', 'locked/a/b'], { cwd: dir, ...user });
    expectRefused(
      result,
      `rxlab run: cannot write to the outputs folder ${join(dir, 'locked', 'a', 'b')}: permission denied; make ${join(dir, 'locked', 'a')} writable, or give the run another folder with --out DIR; nothing was run\n`,
    );
  });
});

describe('no symbolic link inside an output folder is followed', () => {
  /** A folder the user cares about, with a file in it, and a copy of what it holds. */
  function victim(): { path: string; before: Record<string, string> } {
    const path = tempDir();
    writeFileSync(join(path, 'precious.txt'), 'do not touch\n');
    mkdirSync(join(path, 'data'));
    writeFileSync(join(path, 'data', 'dataset.json'), 'mine\n');
    writeFileSync(join(path, '.x.rxlab-tmp-0123456789ab'), 'looks like a temp file, but is not rxlab\'s\n');
    return { path, before: snapshot(path) };
  }

  it('.rxlab as a link: refused, naming it (exit 2); the link\'s target untouched', () => {
    const dir = project();
    expect(run(dir).status).toBe(0);
    const { path, before } = victim();
    const state = join(dir, 'outputs', 'tiny', '.rxlab');
    renameSync(state, `${state}-moved`);
    symlinkSync(path, state);
    expectRefused(run(dir, '--force'), `rxlab run: ${state} is a symbolic link; rxlab follows no link inside its folders, and did not make this one: remove it, or give the run another folder with --out DIR; nothing was run\n`);
    expect(snapshot(path)).toEqual(before);
  });

  it('a stage folder replaced by a link: never reused, never followed; the link goes, the target stays whole', () => {
    const dir = project();
    expect(run(dir).status).toBe(0);
    const { path, before } = victim();
    const stage = join(dir, 'outputs', 'tiny', 'data');
    writeFileSync(join(path, 'data', 'dataset.json'), readFileSync(join(stage, 'dataset.json')));
    const copy = snapshot(path);
    rmSync(stage, { recursive: true });
    // Gone (as on a fresh clone, whose lock has no outputs beside it), then a link in its place.
    expect(run(dir).stdout).toContain('data: started (its folder data/ is missing)');
    rmSync(stage, { recursive: true });
    symlinkSync(join(path, 'data'), stage);
    const status = rxlab(['status', 'tiny.yaml'], { cwd: dir });
    expect(status.stdout).toMatch(/^data +changed +its folder data\/ is not a folder rxlab made \(a link, or a file\)$/m);
    const again = run(dir);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('data: started (its folder data/ is not a folder rxlab made (a link, or a file))');
    expect(lstatSync(stage).isDirectory()).toBe(true);
    expect(snapshot(path)).toEqual(copy);
    expect(before['precious.txt']).toBe(copy['precious.txt']);
  });

  it('the start-of-run temp-file sweep goes through no link and into no nested run\'s folder', () => {
    const dir = project();
    expect(run(dir).status).toBe(0);
    const { path, before } = victim();
    const space = join(dir, 'outputs', 'tiny');
    symlinkSync(path, join(space, 'data', 'linked'));
    symlinkSync(path, join(space, '.rxlab', 'data', 'linked'));
    // A --set run's write in progress, in its own folder inside the pipeline's space.
    const running = join(space, 'runs', 'x=1', 'data');
    mkdirSync(running, { recursive: true });
    writeFileSync(join(running, '.dataset.json.rxlab-tmp-0123456789ab'), 'half a write of another run\n');
    // And one of this run's own, left by a run killed outright: that one goes.
    writeFileSync(join(space, '.run.json.rxlab-tmp-0123456789ab'), 'left by a killed run\n');
    expect(run(dir).status).toBe(0);
    expect(snapshot(path)).toEqual(before);
    expect(readdirSync(running)).toEqual(['.dataset.json.rxlab-tmp-0123456789ab']);
    expect(existsSync(join(space, '.run.json.rxlab-tmp-0123456789ab'))).toBe(false);
  });

  it('a link planted at the run lock\'s name is removed, never written through', () => {
    const dir = project();
    expect(run(dir).status).toBe(0);
    const { path, before } = victim();
    const lock = join(dir, 'outputs', 'tiny', '.rxlab-run.lock');
    symlinkSync(path, lock);
    expect(run(dir, '--force').status).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect(snapshot(path)).toEqual(before);
    symlinkSync(join(path, 'precious.txt'), lock);
    expect(run(dir, '--force').status).toBe(0);
    expect(snapshot(path)).toEqual(before);
  });
});

describe('a pipeline space belongs to one pipeline file', () => {
  it('a copy that kept the name is refused with the fix, and the original\'s outputs stay as they were (exit 2)', () => {
    const dir = project();
    expect(run(dir).status).toBe(0);
    writeFileSync(join(dir, 'copy.yaml'), TINY.replace('[1, 1]', '[2, 2]'));
    const before = snapshot(join(dir, 'outputs', 'tiny'));
    expectRefused(
      rxlab(['run', 'copy.yaml'], { cwd: dir }),
      'rxlab run: outputs/tiny holds the runs of tiny.yaml, which is also named "tiny"; give copy.yaml a name of its own (name: in the file), or its own folder with --out DIR; nothing was run\n',
    );
    expectRefused(rxlab(['run', 'copy.yaml', '--set', 'data.y=[1,0]'], { cwd: dir }), 'which is also named "tiny"');
    expect(snapshot(join(dir, 'outputs', 'tiny'))).toEqual(before);
    expect(rxlab(['run', 'copy.yaml', '--out', 'copy-out'], { cwd: dir }).status).toBe(0);
  });

  it('once the owning file is gone (renamed, moved), the space is taken over by the file now named so', () => {
    const dir = project();
    expect(run(dir).status).toBe(0);
    renameSync(join(dir, 'tiny.yaml'), join(dir, 'renamed.yaml'));
    const result = rxlab(['run', 'renamed.yaml'], { cwd: dir });
    expectNoCrash(result);
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'outputs', 'tiny', '.rxlab', 'folder.json'), 'utf8')).pipeline).toBe('../../renamed.yaml');
  });
});

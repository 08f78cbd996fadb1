/**
 * rxlab as a package, used from a project of the user's own: packed with `npm pack`,
 * installed offline from the tarball into a fresh folder, and also linked (`npm install
 * ../rxlab`). A stage written in that project, a plain `.mjs` program calling the API,
 * and TypeScript checked against the shipped declarations; and a project made by
 * `rxlab init`, installed the same way, whose tests pass and whose pipeline runs and checks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, rxlab } from './helpers/cli.ts';
import { tempDir } from './helpers/engine.ts';
import { installOffline, packRxlab } from './helpers/package.ts';

const PROJECT = join(ROOT, 'test', 'fixtures', 'package');

/** A command in the user's project, as they would type it. */
const inProject = (dir: string, command: string, args: string[]) => {
  const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

let tarball: string;
beforeAll(() => {
  tarball = packRxlab();
}, 300_000);

describe('the packed tarball', () => {
  it('ships the built code, its declarations, the CLI and the editor schema, and no sources or tests', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toContain('package/dist/index.mjs');
    expect(files).toContain('package/dist/rxlab.mjs');
    expect(files).toContain('package/dist/types/index.d.ts');
    expect(files).toContain('package/bin/rxlab.js');
    expect(files).toContain('package/schemas/pipeline.schema.json');
    expect(files.filter((f) => /^package\/(src|test|bench|pipelines|stages)\//.test(f))).toEqual([]);
  });

  it('installs into a new project, whose own stage, CLI run, program and types all work', () => {
    const dir = tempDir();
    cpSync(PROJECT, dir, { recursive: true });
    installOffline(dir, tarball);

    const run = inProject(dir, 'npx', ['rxlab', 'run', 'pipelines/example.yaml']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('scaled: scaled 4 rows by 3');
    expect(JSON.parse(readFileSync(join(dir, 'outputs', 'example', 'run.json'), 'utf8')).status).toBe('completed');

    // A plain JavaScript program: no TypeScript loader, only the built package.
    const program = inProject(dir, process.execPath, ['run.mjs']);
    expect(program.stderr).toBe('');
    expect(JSON.parse(program.stdout)).toEqual({ status: 'completed', stages: ['data', 'scaled'], lockUpdate: 'unchanged', metrics: {} });

    // The declarations: ctx.params typed from the stage's schema, the API's types.
    const tsc = inProject(dir, process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});

describe('a linked install (npm install ../rxlab)', () => {
  it("runs a stage that imports rxlab and rxjs, which the project itself does not have", () => {
    const dir = tempDir();
    cpSync(PROJECT, dir, { recursive: true });
    // The project lists no rxjs: a link leaves rxlab's dependencies in rxlab's own folder.
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    delete pkg.dependencies;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
    execFileSync('npm', ['install', ROOT, '--offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' });
    expect(readdirSync(join(dir, 'node_modules')).filter((f) => !f.startsWith('.'))).toEqual(['rxlab']);

    const run = inProject(dir, 'npx', ['rxlab', 'run', 'pipelines/example.yaml']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('scaled: scaled 4 rows by 3');
  });
});

describe('rxlab init', () => {
  it('makes a project that installs from the tarball, passes its own tests, runs and checks clean', () => {
    const dir = join(tempDir(), 'my-experiments');
    const init = rxlab(['init', dir], { cwd: ROOT });
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(readdirSync(dir, { recursive: true }).map(String).filter((f) => !f.endsWith('stages') && !f.endsWith('pipelines') && !f.includes('workflows') && f !== '.github').sort()).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'pipelines/example.yaml',
      'stages/standardize.test.ts',
      'stages/standardize.ts',
      'tsconfig.json',
    ]);
    expect(readFileSync(join(dir, '.github', 'workflows', 'rxlab.yml'), 'utf8')).toContain('npx rxlab check --format github --junit rxlab-check.xml');
    expect(readFileSync(join(dir, 'pipelines', 'example.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../node_modules/rxlab/schemas/pipeline.schema.json');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'my-experiments', type: 'module', dependencies: { rxlab: `^${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}` } });

    installOffline(dir, tarball);
    // The schema line points at a file the install brought.
    expect(readFileSync(join(dir, 'node_modules', 'rxlab', 'schemas', 'pipeline.schema.json'), 'utf8')).toContain('"stages"');
    const test = inProject(dir, 'npm', ['test']);
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^# pass 1$/m);
    const run = inProject(dir, 'npx', ['rxlab', 'run', 'pipelines/example.yaml']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('scaled: scaled 2 features of 200 rows');
    expect(run.stdout).toMatch(/^lock pipelines\/example\.lock\.json written$/m);
    expect(run.stdout).toMatch(/^metrics: train\.loss [\d.]+, evaluate\.accuracy 0\.9\d*$/m);
    const check = inProject(dir, 'npx', ['rxlab', 'check']);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^ok: \d+ same; the pipeline reproduces its lock$/m);
    const types = inProject(dir, process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
    expect(types.stdout + types.stderr).toBe('');
  });

  it('refuses a folder that is not empty, and a file, writing nothing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const refused = rxlab(['init', dir], { cwd: ROOT });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`rxlab init: ${dir} is not empty (notes.txt); give a new or empty folder, e.g. rxlab init my-experiments\n`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    const file = rxlab(['init', 'notes.txt'], { cwd: dir });
    expect(file).toMatchObject({ status: 2, stderr: 'rxlab init: notes.txt is a file; give a new or empty folder\n' });
  });
});

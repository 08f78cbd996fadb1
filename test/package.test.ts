/**
 * rxlab as a package, used from a project of the user's own: packed with `npm pack`,
 * installed offline from the tarball into a fresh folder, and also linked (`npm install
 * ../rxlab`). A stage written in that project, a plain `.mjs` program calling the API,
 * and TypeScript checked against the shipped declarations.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.ts';
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

/**
 * `rxlab check` where CI runs it: several pipelines at once (files, a glob, or the whole
 * project), a JUnit report valid against the common JUnit schema (test/fixtures/ci/JUnit.xsd,
 * checked with xmllint, which .ci/run installs), GitHub annotations on the line of the
 * stage that drifted and a job summary with the metrics first; and the CI files the README
 * gives users, the GitHub one validated against its published schema.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_WORKFLOW, GITLAB_JOB } from '../src/init/templates.ts';
import { ROOT, rxlab } from './helpers/cli.ts';
import { tempDir } from './helpers/engine.ts';

const CI = join(ROOT, 'test', 'fixtures', 'ci');

const small = (lr: number): string => `name: small-${String(lr).replace('.', '')}
stages:
  data:
    uses: xor
  model:
    uses: model
    with: { layers: [2, 4, 1], init: { scheme: torch, seed: 5 } }
  train:
    uses: train
    inputs: { dataset: data.dataset, model: model.model }
    with: { optimizer: { name: sgd, lr: ${lr} }, epochs: 50 }
  evaluate:
    uses: evaluate
    inputs: { model: train.model, dataset: data.dataset }
`;

/**
 * A project with two pipelines and their locks, as `rxlab run` wrote them; then the lock
 * of `drifted.yaml` is edited as if an earlier run had made another history and loss.
 */
let project: string;
beforeAll(() => {
  project = tempDir();
  writeFileSync(join(project, 'package.json'), '{ "name": "ci-project", "private": true }\n');
  mkdirSync(join(project, 'pipelines'));
  writeFileSync(join(project, 'pipelines', 'good.yaml'), small(1));
  writeFileSync(join(project, 'pipelines', 'drifted.yaml'), small(0.5));
  for (const name of ['good', 'drifted']) expect(rxlab(['run', `pipelines/${name}.yaml`], { cwd: project }).status).toBe(0);
  const lockFile = join(project, 'pipelines', 'drifted.lock.json');
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  lock.stages.train.values['history.json'].loss[7] += 0.001;
  lock.stages.train.artifacts['history.json'] = '0'.repeat(64);
  lock.stages.train.metrics.loss = 0.25;
  writeFileSync(lockFile, JSON.stringify(lock, null, 2));
});

const xmllint = (file: string) => spawnSync('xmllint', ['--noout', '--schema', join(CI, 'JUnit.xsd'), file], { encoding: 'utf8' });

describe('rxlab check for CI', () => {
  it('checks every pipeline of the project when given none, and exits 1 when one drifted', () => {
    const result = rxlab(['check'], { cwd: project });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^check small-05 against pipelines\/drifted\.lock\.json$/m);
    expect(result.stdout).toMatch(/^train +history\.json +bytes +changed +loss\[7\] differs by 0\.001$/m);
    expect(result.stdout).toMatch(/^ok: 10 same; the pipeline reproduces its lock$/m);
    expect(result.stdout).toMatch(/\n1 of 2 pipelines reproduce their locks; not: pipelines\/drifted\.yaml\n$/);
    // A glob, and files: the same pipelines, exit 0 for the one that reproduces.
    expect(rxlab(['check', 'pipelines/*.yaml'], { cwd: project }).stdout).toBe(result.stdout);
    expect(rxlab(['check', 'pipelines/good.yaml'], { cwd: project }).status).toBe(0);
    expect(rxlab(['check', 'pipelines/none-*.yaml'], { cwd: project })).toMatchObject({ status: 2, stderr: 'rxlab check: no file matches pipelines/none-*.yaml\n' });
  });

  it('writes a JUnit report valid against the common schema: a case per stage and artifact, failures with the difference', () => {
    const report = join(project, 'report.xml');
    expect(rxlab(['check', 'pipelines/good.yaml', 'pipelines/drifted.yaml', '--junit', 'report.xml'], { cwd: project }).status).toBe(1);
    const lint = xmllint(report);
    expect(lint.error, 'xmllint is needed: apt-get install libxml2-utils (.ci/run does)').toBeUndefined();
    expect(lint.stderr).toBe('report.xml validates\n'.replace('report.xml', report));
    const xml = readFileSync(report, 'utf8');
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    // data: params and code + dataset.json; model: 4; train: 5; evaluate: 3 → 14 cases per pipeline,
    // and one more for each metric that differs from the lock's (the drifted train.loss).
    expect(xml).toMatch(/<testsuite name="small-1" package="pipelines\/good\.yaml" id="0" [^>]* tests="14" failures="0" errors="0"/);
    expect(xml).toMatch(/<testsuite name="small-05" package="pipelines\/drifted\.yaml" id="1" [^>]* tests="15" failures="2" errors="0"/);
    expect(xml).toContain(
      '<testcase name="history.json" classname="small-05.train" time="0">\n      <failure message="history.json changed: loss[7] differs by 0.001" type="drift">history.json changed: loss[7] differs by 0.001 (compared by bytes)</failure>',
    );
    // A pipeline that cannot be compared is an error case, and the report still validates.
    writeFileSync(join(project, 'nolock.yaml'), small(2));
    expect(rxlab(['check', 'nolock.yaml', 'pipelines/good.yaml', '--junit', 'report.xml'], { cwd: project }).status).toBe(1);
    expect(xmllint(report).status).toBe(0);
    expect(readFileSync(report, 'utf8')).toMatch(/<testcase name="run and compare" classname="small-2" time="0">\n +<error message="no lock file nolock\.lock\.json;/);
  });

  it('annotates the line of the stage that drifted and writes a job summary, metrics first', () => {
    const summary = join(project, 'summary.md');
    writeFileSync(summary, '');
    const result = rxlab(['check', '--format', 'github'], { cwd: project, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(result.status).toBe(1);
    const annotations = result.stdout.split('\n').filter((l) => l.startsWith('::'));
    // `train:` is on line 8 of the file.
    expect(readFileSync(join(project, 'pipelines', 'drifted.yaml'), 'utf8').split('\n')[7]).toBe('  train:');
    expect(annotations).toEqual([
      expect.stringMatching(
        /^::error file=pipelines\/drifted\.yaml,line=8,title=rxlab check%3A small-05 stage train drifted::history\.json changed \(loss\[7\] differs by 0\.001\); metric loss changed \([\d.]+, the lock has 0\.25 \(differs by [\d.]+\)\)$/,
      ),
    ]);
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown.startsWith('## rxlab check: 1 of 2 pipelines reproduce their locks\n')).toBe(true);
    const section = markdown.slice(markdown.indexOf('### pipelines/drifted.yaml'));
    expect(section.indexOf('| metric | lock | this run | change |')).toBeLessThan(section.indexOf('| stage | artifact | result | difference |'));
    expect(section).toMatch(/^\| \*\*train\.loss\*\* \| 0\.25 \| [\d.]+ \| [-+][\d.e-]+ \|$/m);
    expect(section).toContain('| train | history.json | changed | loss[7] differs by 0.001 |');
  });
});

describe('the CI files users copy', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  /** The README's YAML block that follows `marker`. */
  const block = (marker: string): string => {
    const at = readme.indexOf(marker);
    expect(at, marker).toBeGreaterThan(-1);
    const start = readme.indexOf('```yaml\n', at) + '```yaml\n'.length;
    return readme.slice(start, readme.indexOf('```\n', start));
  };

  it('GitHub Actions: the README shows the workflow rxlab init writes, valid against the published schema', () => {
    expect(block('`.github/workflows/rxlab.yml`:')).toBe(GITHUB_WORKFLOW);
    const schema = JSON.parse(readFileSync(join(CI, 'github-workflow.schema.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const workflow = parse(GITHUB_WORKFLOW);
    expect(validate(workflow), JSON.stringify(validate.errors)).toBe(true);
    const steps = workflow.jobs.check.steps as { run?: string; uses?: string; with?: Record<string, string>; if?: string }[];
    expect(steps.map((s) => s.run ?? s.uses)).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'npm ci',
      'npm test',
      'for pipeline in pipelines/*.yaml; do npx rxlab run "$pipeline" --frozen; done',
      'npx rxlab check --format github --junit rxlab-check.xml',
      'actions/upload-artifact@v4',
    ]);
    expect(steps[6]).toMatchObject({ if: 'always()', with: { path: 'rxlab-check.xml\noutputs/\n' } });
    // The schema refuses a broken workflow: the check can fail.
    expect(validate({ ...workflow, jobs: { check: { steps } } })).toBe(false);
  });

  it('GitLab CI: the README shows a job that installs, checks, and keeps the report and the outputs', () => {
    expect(block('`.gitlab-ci.yml`:')).toBe(GITLAB_JOB);
    const job = parse(GITLAB_JOB)['rxlab-check'];
    expect(job.script).toEqual(['npm ci', 'npm test', 'for pipeline in pipelines/*.yaml; do npx rxlab run "$pipeline" --frozen; done', 'npx rxlab check --junit rxlab-check.xml']);
    expect(job.artifacts).toEqual({ when: 'always', paths: ['rxlab-check.xml', 'outputs/'], reports: { junit: 'rxlab-check.xml' } });
    expect(job.image).toBe('node:20');
  });

  it("the project's own CI checks every pipeline with one rxlab check and keeps a JUnit report", () => {
    const script = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    expect(script).toMatch(/^node bin\/rxlab\.js check --junit /m);
    expect(execFileSync('bash', ['-n', join(ROOT, '.ci', 'run')]).toString()).toBe('');
  });
});

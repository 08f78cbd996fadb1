/**
 * The files of a new experiment project (`rxlab init`), and the CI configurations the
 * README shows for users to copy: one text each, so what `init` writes, what the README
 * shows and what the tests validate cannot drift apart.
 */

/** The GitHub Actions workflow: install, test the stages, run each pipeline against its lock, check, keep the results. */
export const GITHUB_WORKFLOW = `# Proves on every push that each pipeline reproduces its committed lock.
name: reproducibility
on:
  push:
  pull_request:
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npm test
      # Each pipeline as committed, refused if its lock would change; its outputs are kept below.
      - run: for pipeline in pipelines/*.yaml; do npx rxlab run "$pipeline" --frozen; done
      # Every pipeline again from scratch, compared with its lock: annotations on the lines that drifted, a job summary, a JUnit report.
      - run: npx rxlab check --format github --junit rxlab-check.xml
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: rxlab-results
          path: |
            rxlab-check.xml
            outputs/
`;

/** The same as a GitLab CI job. */
export const GITLAB_JOB = `# .gitlab-ci.yml: proves on every push that each pipeline reproduces its committed lock.
rxlab-check:
  image: node:20
  script:
    - npm ci
    - npm test
    - for pipeline in pipelines/*.yaml; do npx rxlab run "$pipeline" --frozen; done
    - npx rxlab check --junit rxlab-check.xml
  artifacts:
    when: always
    paths:
      - rxlab-check.xml
      - outputs/
    reports:
      junit: rxlab-check.xml
`;

/** An example stage of the user's own: standardizes each feature, recording what it did. */
const STAGE = `/**
 * A stage of your own: scales each feature to mean 0 and standard deviation 1 (as
 * scikit-learn's StandardScaler does), and records the means and deviations it used.
 * pipelines/example.yaml uses it with \`uses: ../stages/standardize.ts\`.
 */
import { of } from 'rxjs';
import { defineStage, jsonArtifact, message } from 'rxlab';

export default defineStage({
  name: 'standardize',
  description: 'Scales each feature to mean 0 and standard deviation 1.',
  params: {
    type: 'object',
    properties: {
      with_mean: { type: 'boolean', default: true, description: 'subtract each feature\\'s mean' },
    },
    additionalProperties: false,
  },
  inputs: { dataset: { kind: 'dataset', description: 'the data to scale' } },
  outputs: { dataset: { kind: 'dataset', description: 'the same rows, scaled' } },
  run: (ctx, { dataset }) => {
    const n = dataset.X.length;
    const features = dataset.X[0]?.length ?? 0;
    const column = (j: number): number[] => dataset.X.map((row) => row[j]);
    const mean = Array.from({ length: features }, (_, j) => (ctx.params.with_mean ? column(j).reduce((a, b) => a + b, 0) / n : 0));
    const std = Array.from({ length: features }, (_, j) => Math.sqrt(column(j).reduce((a, x) => a + (x - mean[j]) ** 2, 0) / n) || 1);
    const X = dataset.X.map((row) => row.map((x, j) => (x - mean[j]) / std[j]));
    return of(
      jsonArtifact('scaler.json', { mean, std }),
      message(\`scaled \${features} features of \${n} rows\`),
      ctx.output('dataset', { X, y: dataset.y }),
    );
  },
});
`;

const STAGE_TEST = `// The example stage's test: \`npm test\` runs it with Node's own test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastValueFrom, of } from 'rxjs';
import { toArray } from 'rxjs/operators';
import type { Dataset, StageEvent } from 'rxlab';
import standardize from './standardize.ts';

const run = (dataset: Dataset): Promise<StageEvent[]> =>
  lastValueFrom(standardize.run({ id: 'scaled', params: { with_mean: true }, pipelineDir: '.', stopRequested: of() }, { dataset }).pipe(toArray()));

test('scales each feature to mean 0 and standard deviation 1', async () => {
  const events = await run({ X: [[1, 10], [3, 10], [5, 40]], y: [0, 1, 1] });
  const output = events.find((e) => e.type === 'output');
  assert.ok(output && output.type === 'output');
  const { X, y } = output.value as Dataset;
  // To 12 digits: the last bit of a float depends on the order of the sums.
  const rounded = (values: number[]): number[] => values.map((v) => Number(v.toFixed(12)));
  assert.deepEqual(rounded(X.map((row) => row[0])), rounded([-Math.sqrt(1.5), 0, Math.sqrt(1.5)]));
  assert.deepEqual(rounded(X.map((row) => row[1])), rounded([-Math.SQRT1_2, -Math.SQRT1_2, Math.SQRT2]));
  assert.deepEqual(y, [0, 1, 1]);
  const scaler = events.find((e) => e.type === 'artifact');
  assert.ok(scaler && scaler.type === 'artifact' && scaler.name === 'scaler.json');
  const { mean, std } = JSON.parse(String(scaler.content)) as { mean: number[]; std: number[] };
  assert.deepEqual(mean, [3, 20]);
  assert.deepEqual(rounded(std), rounded([Math.sqrt(8 / 3), Math.sqrt(200)]));
});
`;

const PIPELINE = `# yaml-language-server: $schema=../node_modules/rxlab/schemas/pipeline.schema.json
# An example experiment: two moons, standardized by a stage of this project's own
# (stages/standardize.ts), a small MLP trained on them, its accuracy and its charts.
name: example
stages:
  data:
    uses: moons
    with: { n_samples: 200, noise: 0.15, random_state: 0 }

  scaled:
    uses: ../stages/standardize.ts
    inputs: { dataset: data.dataset }

  model:
    uses: model
    with: { layers: [2, 8, 1], activation: tanh, init: { scheme: torch, seed: 0 } }

  train:
    uses: train
    inputs: { dataset: scaled.dataset, model: model.model }
    with:
      optimizer: { name: adam, lr: 0.05 }
      epochs: 300

  evaluate:
    uses: evaluate
    inputs: { model: train.model, dataset: scaled.dataset }

  loss-chart:
    uses: loss-chart
    inputs: { history: train.history }
    with: { title: "Training loss (\${train.optimizer.name}, lr \${train.optimizer.lr})" }

  fit:
    uses: decision-chart
    inputs: { dataset: scaled.dataset, model: train.model }
    with: { title: "Decision region after \${train.epochs} epochs" }
`;

const README = (name: string): string => `# ${name}

Machine-learning experiments as [rxlab](https://www.npmjs.com/package/rxlab) pipelines.

\`\`\`sh
npm install
npx rxlab run pipelines/example.yaml   # run it: artifacts in outputs/example/, the lock in pipelines/example.lock.json
npx rxlab check                        # re-run every pipeline from scratch and compare with its lock
\`\`\`

Commit the lock (\`pipelines/example.lock.json\`) with the pipeline: \`rxlab check\` proves
that a fresh run reproduces it, and the workflow in \`.github/workflows/rxlab.yml\` does so
on every push. \`npm test\` runs the tests of your stages (\`stages/*.test.ts\`).
`;

const GITIGNORE = `node_modules/
outputs/
rxlab-check.xml
`;

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "skipLibCheck": true,
    "types": ["node"]
  },
  "include": ["stages"]
}
`;

export interface ProjectOptions {
  /** The package name (the folder's, made to fit npm's rules). */
  name: string;
  /** rxlab's version, which the project depends on. */
  rxlabVersion: string;
  /** Versions of what the stages import, test and type-check with (rxjs, tsx, @types/node), as rxlab itself has them. */
  rxjs: string;
  tsx: string;
  nodeTypes: string;
}

/** Every file of a new project, by path relative to its folder. */
export function projectFiles(options: ProjectOptions): Record<string, string> {
  const pkg = {
    name: options.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { test: 'node --import tsx --test stages/*.test.ts', pipeline: 'rxlab run', check: 'rxlab check' },
    dependencies: { rxlab: `^${options.rxlabVersion}`, rxjs: options.rxjs },
    devDependencies: { '@types/node': options.nodeTypes, tsx: options.tsx },
  };
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'README.md': README(options.name),
    '.gitignore': GITIGNORE,
    'tsconfig.json': TSCONFIG,
    'pipelines/example.yaml': PIPELINE,
    'stages/standardize.ts': STAGE,
    'stages/standardize.test.ts': STAGE_TEST,
    '.github/workflows/rxlab.yml': GITHUB_WORKFLOW,
  };
}

import { readFileSync, truncateSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PipelineInputError, formatDiagnostic } from '../../src/engine/errors.ts';
import { formatDiagnosticWithSource } from '../../src/engine/load/format.ts';
import { loadPipeline } from '../../src/engine/load/load.ts';
import { resolveStage } from '../../src/stages/registry.ts';
import { pipelineSchemaFor } from '../../src/engine/load/pipeline-schema.ts';
import { builtinStages } from '../../src/stages/registry.ts';
import { pipelineSchemaText, readmeWithStageTable } from '../../scripts/generate.ts';
import { blobs, diagnosticsOf, load, problemsOf, testStages, writePipeline } from '../helpers/loader.ts';

const fixture = (name: string): string => `test/fixtures/pipelines/${name}`;

/** A train stage with its inputs wired, so only `with` varies. */
const trainWith = (withYaml: string): string => `stages:\n  t:\n    uses: train\n    inputs: { dataset: d, model: m }\n    with: ${withYaml}\n`;

describe('loadPipeline: a valid file', () => {
  it('returns the stages in file order, params with their defaults, positions and the source', async () => {
    const file = fixture('perceptron.yaml');
    const spec = await load(file);
    expect(spec.name).toBe('perceptron');
    expect(spec.file).toBe(resolve(file));
    expect(spec.dir).toBe(dirname(resolve(file)));
    expect(spec.source).toBe(readFileSync(file, 'utf8'));
    expect(spec.stages.map((s) => s.id)).toEqual(['data', 'model', 'scaled', 'train']);

    const [data, model, scaled, train] = spec.stages;
    expect(data.stage).toBe(blobs);
    expect(data.params).toEqual({ n_samples: 100, centers: [[-0.5, 0.5], [0.5, -0.5]], noise: 0.1, seed: 0 });
    expect(model.params).toEqual({ layers: [2, 1], activation: 'sigmoid', init: { scheme: 'torch', seed: 0 } });
    expect(train.params).toEqual({ epochs: 1000, optimizer: { name: 'sgd', lr: 0.01 }, batch_size: 32 });
    expect(train.inputs).toEqual({ dataset: 'scaled.dataset', model: 'model.model' });
    expect(train.pos).toEqual({ line: 15, col: 3 });
    expect(train.inputPos).toEqual({ dataset: { line: 18, col: 16 }, model: { line: 19, col: 14 } });

    // A user's module stage, by path relative to the pipeline file, with its defaults.
    expect(scaled.uses).toBe('./stages/scale.ts');
    expect(scaled.stage.name).toBe('scale');
    expect(scaled.params).toEqual({ factor: 2 });
    expect(scaled.inputPos).toEqual({ dataset: { line: 14, col: 24 } });
  });

  it('takes the name from name:, else from the file name', async () => {
    expect((await load(writePipeline('name: my-exp\nstages: { d: { uses: blobs } }\n'))).name).toBe('my-exp');
    expect((await load(writePipeline('stages: { d: { uses: blobs } }\n', 'My Exp.yml'))).name).toBe('my-exp');
  });

  it("resolves module paths with the stage registry's resolver", async () => {
    const file = writePipeline(`stages:\n  s:\n    uses: ${resolve('test/fixtures/pipelines/stages/scale.ts')}\n    inputs: { dataset: x }\n`);
    const spec = await loadPipeline(file, { resolve: resolveStage });
    expect(spec.stages[0].params).toEqual({ factor: 2 });
  });

  it('gives each alias its own copy, so defaults and overrides never leak between stages', async () => {
    const file = writePipeline('stages:\n  a: { uses: train, inputs: &io { dataset: d, model: m }, with: &p { epochs: 3 } }\n  b: { uses: train, inputs: *io, with: *p }\n');
    const spec = await load(file, { overrides: ['a.epochs=5'] });
    expect(spec.stages.map((s) => s.params)).toEqual([
      { epochs: 5, batch_size: 32 },
      { epochs: 3, batch_size: 32 },
    ]);
    expect(spec.stages[0].params).not.toBe(spec.stages[1].params);
  });

  it('does not require optional input ports', async () => {
    const spec = await load(writePipeline(trainWith('{ epochs: 1 }')));
    expect(spec.stages[0].inputs).toEqual({ dataset: 'd', model: 'm' });
  });
});

describe('loadPipeline: the file itself', () => {
  it('reports a missing file with the path it looked for', async () => {
    const diagnostics = await diagnosticsOf('no/such/pipeline.yaml');
    expect(diagnostics).toEqual([
      { file: 'no/such/pipeline.yaml', line: 0, col: 0, path: '', message: `file not found (looked for ${resolve('no/such/pipeline.yaml')})` },
    ]);
  });

  it('refuses a directory', async () => {
    const [d] = await diagnosticsOf('test/fixtures/pipelines');
    expect(d.message).toBe('is a directory; give a pipeline .yaml file');
  });

  it('refuses text that is not UTF-8, at the first bad byte', async () => {
    const file = writePipeline(Buffer.concat([Buffer.from('stages:\n  d: { uses: '), Buffer.from([0xe9]), Buffer.from('t }\n')]));
    expect(await diagnosticsOf(file)).toEqual([{ file, line: 2, col: 14, path: '', message: 'file is not UTF-8 text (invalid byte 0xe9); save it as UTF-8' }]);
  });

  it('says so when the file is UTF-16', async () => {
    const file = writePipeline(Buffer.from('\ufeffstages: {}\n', 'utf16le'));
    expect((await diagnosticsOf(file))[0].message).toBe('file is UTF-16; save it as UTF-8');
  });

  it('refuses an empty file, and one with only comments', async () => {
    expect(await problemsOf('  \n\n')).toEqual(['0:0: file is empty; a pipeline needs at least a stages: map']);
    expect(await problemsOf('# yaml-language-server: $schema=x\n# nothing else\n')).toEqual([
      '0:0: file has only comments; a pipeline needs at least a stages: map',
    ]);
  });

  it('refuses a 50 MB file quickly, without reading it', async () => {
    const file = writePipeline('');
    truncateSync(file, 50 * 1024 * 1024); // sparse: takes no disk space
    try {
      const started = performance.now();
      expect(await diagnosticsOf(file)).toEqual([{ file, line: 0, col: 0, path: '', message: 'file is 50 MiB; pipeline files are limited to 1 MiB' }]);
      expect(performance.now() - started).toBeLessThan(500);
    } finally {
      unlinkSync(file);
    }
  });

  it('applies the size limit given, rounding sizes up', async () => {
    const file = writePipeline(`stages: { d: { uses: blobs } }\n${'#'.repeat(2000)}\n`);
    expect((await diagnosticsOf(file, { maxBytes: 1024 }))[0].message).toBe('file is 2 KiB; pipeline files are limited to 1 KiB');
    expect((await diagnosticsOf(file, { maxBytes: 100 }))[0].message).toBe('file is 2 KiB; pipeline files are limited to 100 bytes');
  });
});

describe('loadPipeline: YAML', () => {
  it('reports syntax errors with their position', async () => {
    expect(await problemsOf('stages:\n  a: [1, 2\n  b: 3\n')).toEqual([
      '3:3: invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('reports a duplicate stage id and where it was first defined', async () => {
    expect(await problemsOf('stages:\n  train:\n    uses: train\n  train:\n    uses: blobs\n')).toEqual([
      '4:3 stages.train: duplicate stage id "train" (first defined at line 2)',
    ]);
  });

  it('reports any other duplicate key', async () => {
    expect(await problemsOf('stages:\n  t:\n    uses: train\n    with:\n      epochs: 1\n      epochs: 2\n')).toEqual([
      '6:7 stages.t.with.epochs: duplicate key "epochs" (first defined at line 5)',
    ]);
  });

  it('refuses a "billion laughs" document quickly, without expanding it', async () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [prev, next] of [...'abcdefgh'].map((c, i) => [c, 'bcdefghi'[i]])) levels.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    const started = performance.now();
    expect(await problemsOf(`${levels.join('\n')}\nstages: { d: { uses: blobs, with: { centers: *i } } }\n`)).toEqual([
      '10:46 stages.d.with.centers: YAML aliases expand this document by 2345678910 values, more than the 100000 allowed; refusing to expand it (a "billion laughs" document?)',
    ]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a document nested too deeply to read, once', async () => {
    const [problem, ...rest] = await problemsOf(`stages: ${'['.repeat(3000)}${']'.repeat(3000)}\n`);
    expect(problem).toMatch(/^1:\d+: the document nests too deeply to be read \(.+\)$/);
    expect(rest).toEqual([]);
  });

  it('reports aliases without an anchor, and aliases inside their own anchor', async () => {
    expect(await problemsOf('stages:\n  a: *nope\n')).toEqual(['2:6 stages.a: alias *nope refers to no anchor; define &nope before using it']);
    expect(await problemsOf('stages: &s\n  a: *s\n')).toEqual(['2:6 stages.a: alias *s is inside the node it refers to, so it would never end']);
  });

  it('refuses unknown tags, several documents, merge keys and non-text keys', async () => {
    expect(await problemsOf('stages:\n  a: !foo 1\n')).toEqual(['2:6: invalid YAML: unresolved tag: !foo']);
    expect(await problemsOf('stages: {}\n---\nx: 1\n')).toEqual([
      '2:1: a pipeline file holds one YAML document; remove the --- and what follows it, or merge the two',
    ]);
    expect(await problemsOf('base: &b { uses: blobs }\nstages:\n  a:\n    <<: *b\n')).toEqual([
      '4:5 stages.a.<<: merge keys (<<) are not supported; write the keys out, or alias the whole map',
    ]);
    expect(await problemsOf('stages:\n  ? [a]\n  : 1\n')).toEqual(['2:5 stages: keys must be plain text, found a list']);
  });
});

describe('loadPipeline: structure and params', () => {
  it('reports a wrong type as what was expected and what was found', async () => {
    expect(await problemsOf(trainWith('{ epochs: many, patience: x }'))).toEqual([
      '5:21 stages.t.with.epochs: expected an integer, found "many"',
      '5:37 stages.t.with.patience: expected an integer or null, found "x"',
    ]);
    expect(await problemsOf(trainWith('{ epochs: 1, optimizer: { name: sgd, lr: fast } }'))).toEqual([
      '5:52 stages.t.with.optimizer.lr: expected a number, found "fast"',
    ]);
    expect(await problemsOf(trainWith('{ epochs: 1, optimizer: 5 }'))).toEqual(['5:35 stages.t.with.optimizer: expected a map, found 5']);
    expect(await problemsOf('- a\n- b\n')).toEqual(['1:1: expected a map, found a list of 2']);
  });

  it('explains a oneOf by the alternative meant, or lists the allowed values', async () => {
    expect(await problemsOf(trainWith('{ epochs: 1, optimizer: { name: sgdd, lr: 1 } }'))).toEqual([
      '5:43 stages.t.with.optimizer.name: expected one of "sgd", "adam", found "sgdd" (did you mean "sgd"?)',
    ]);
    expect(await problemsOf(trainWith('{ epochs: 1, optimizer: { name: sgd } }'))).toEqual([
      '5:24 stages.t.with.optimizer: missing required key "lr"',
    ]);
    expect(await problemsOf(trainWith('{ epochs: 1, optimizer: { name: adam, beta: 0.9 } }'))).toEqual([
      '5:49 stages.t.with.optimizer.beta: unknown key (did you mean "beta1"?)',
    ]);
  });

  it('reports unknown keys at the key, with did-you-mean or the keys allowed', async () => {
    expect(await problemsOf('stages:\n  d:\n    uses: blobs\n    with:\n      n_sample: 100\n')).toEqual([
      '5:7 stages.d.with.n_sample: unknown key (did you mean "n_samples"?)',
    ]);
    expect(await problemsOf('stages:\n  d: { uses: blobs, with: { zzzzzz: 1 } }\n')).toEqual([
      '2:29 stages.d.with.zzzzzz: unknown key; expected one of "n_samples", "centers", "noise", "seed"',
    ]);
    expect(await problemsOf('nam: x\nstages:\n  d: { uses: blobs, inptus: {} }\n')).toEqual([
      '1:1 nam: unknown key (did you mean "name"?)',
      '3:21 stages.d.inptus: unknown key (did you mean "inputs"?)',
    ]);
  });

  it('reports missing required keys at the map that lacks them', async () => {
    expect(await problemsOf('stages:\n  model:\n    with: { layers: [2, 1] }\n')).toEqual(['2:3 stages.model: missing required key "uses"']);
    expect(await problemsOf('description: x\n')).toEqual(['1:1: missing required key "stages"']);
    // No with: at all; the stage's key is the place.
    expect(await problemsOf('stages:\n  t:\n    uses: train\n    inputs: { dataset: d, model: m }\n')).toEqual([
      '2:3 stages.t.with: missing required key "epochs"',
    ]);
  });

  it('reports values out of range with the whole range', async () => {
    expect(await problemsOf(trainWith('{ epochs: 0, batch_size: 0 }'))).toEqual([
      '5:21 stages.t.with.epochs: expected an integer ≥ 1, found 0',
      '5:36 stages.t.with.batch_size: expected an integer > 0, found 0',
    ]);
    expect(await problemsOf('stages:\n  d: { uses: blobs, with: { noise: 2 } }\n')).toEqual([
      '2:36 stages.d.with.noise: expected a number ≥ 0 and ≤ 1, found 2',
    ]);
    expect(await problemsOf(trainWith('{ epochs: 1, optimizer: { name: sgd, lr: .nan } }'))).toEqual([
      '5:52 stages.t.with.optimizer.lr: expected a number, found .nan',
    ]);
  });

  it('reports an empty with: as null, at its key', async () => {
    expect(await problemsOf('stages:\n  m:\n    uses: model\n    with:\n')).toEqual(['4:5 stages.m.with: expected a map, found null']);
  });

  it('checks stage ids, names, references and uses', async () => {
    expect(await problemsOf('name: Bad Name\nstages:\n  1st: { uses: blobs }\n  e: { uses: "" }\n  t: { uses: train, with: { epochs: 1 }, inputs: { dataset: "d..x", model: m } }\n')).toEqual([
      '1:7 name: expected a name of lowercase letters, digits, _ and -, starting with a letter or digit, found "Bad Name"',
      '3:3 stages.1st: expected a stage id: a letter, then letters, digits, _ or -, found "1st"',
      '4:14 stages.e.uses: expected a non-empty string, found ""',
      '5:61 stages.t.inputs.dataset: expected a reference stageId.output (or stageId for a stage with one output), found "d..x"',
    ]);
    expect(await problemsOf('stages: {}\n')).toEqual(['1:9 stages: expected at least 1 entry, found 0']);
  });

  it('reports an unknown stage at its uses:, with did-you-mean', async () => {
    expect(await problemsOf('stages:\n  t:\n    uses: trian\n')).toEqual(['3:11 stages.t.uses: unknown stage "trian" (did you mean "train"?)']);
    expect(await problemsOf('stages:\n  t:\n    uses: ./nowhere.ts\n')).toEqual([
      expect.stringMatching(/^3:11 stages\.t\.uses: stage module \.\/nowhere\.ts not found \(looked for .*nowhere\.ts\)$/),
    ]);
  });

  it('checks input port names against the stage', async () => {
    expect(await problemsOf(trainWith('{ epochs: 1 }').replace('dataset: d', 'datset: d'))).toEqual([
      '4:5 stages.t.inputs: missing required input "dataset"',
      '4:15 stages.t.inputs.datset: unknown input port (did you mean "dataset"?)',
    ]);
    expect(await problemsOf('stages:\n  d: { uses: blobs, inputs: { x: y } }\n')).toEqual(['2:31 stages.d.inputs.x: unknown input port; this stage takes no inputs']);
    expect(await problemsOf('stages:\n  t: { uses: train, with: { epochs: 1 } }\n')).toEqual(['2:3 stages.t.inputs: missing required inputs "dataset", "model"']);
  });

  it("reports a stage's invalid params schema at its uses:", async () => {
    const [problem] = await problemsOf('stages:\n  b: { uses: broken }\n');
    expect(problem).toMatch(/^2:14 stages\.b\.uses: stage "broken" has an invalid params schema \(a bug in the stage\): schema is invalid: /);
  });

  it('reports every error of a file together, sorted by position', async () => {
    const file = fixture('many-errors.yaml');
    const error = await load(file).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PipelineInputError);
    expect((error as PipelineInputError).exitCode).toBe(2);
    expect((error as PipelineInputError).message.split('\n')).toEqual([
      `${file}:6:7 stages.data.with.n_sample: unknown key (did you mean "n_samples"?)`,
      `${file}:7:14 stages.data.with.noise: expected a number ≥ 0 and ≤ 1, found 2`,
      `${file}:8:3 stages.model: missing required key "uses"`,
      `${file}:11:11 stages.train.uses: unknown stage "trian" (did you mean "train"?)`,
      `${file}:14:5 stages.fit.inputs: missing required input "dataset"`,
      `${file}:15:7 stages.fit.inputs.datset: unknown input port (did you mean "dataset"?)`,
      `${file}:18:15 stages.fit.with.epochs: expected an integer ≥ 1, found 0`,
      `${file}:19:35 stages.fit.with.optimizer.lr: expected a number, found "fast"`,
    ]);
  });
});

describe('formatDiagnosticWithSource', () => {
  it('adds the offending line and a caret under the column', async () => {
    const text = trainWith('{ epochs: 0 }');
    const [d] = await diagnosticsOf(writePipeline(text));
    expect(formatDiagnosticWithSource(d, text)).toBe(`${formatDiagnostic(d)}\n 5 |     with: { epochs: 0 }\n   |                     ^`);
  });

  it('keeps tabs before the caret so it lines up', () => {
    const d = { file: 'p.yaml', line: 2, col: 3, path: 'stages.t', message: 'm' };
    expect(formatDiagnosticWithSource(d, 'stages:\n\tt: 1\n')).toBe('p.yaml:2:3 stages.t: m\n 2 | \tt: 1\n   | \t ^');
  });

  it('is formatDiagnostic alone when there is no line to show', () => {
    const d = { file: '--set t.epochs=0', line: 0, col: 0, path: 'stages.t.with.epochs', message: 'm' };
    expect(formatDiagnosticWithSource(d, 'x')).toBe(formatDiagnostic(d));
  });
});

describe('files made from the stage definitions (npm run generate)', () => {
  it('schemas/pipeline.schema.json is the pipeline schema with every built-in stage, as generated', () => {
    expect(readFileSync('schemas/pipeline.schema.json', 'utf8')).toBe(pipelineSchemaText());
    expect(JSON.parse(pipelineSchemaText())).toEqual(pipelineSchemaFor(builtinStages));
  });

  it("README.md's table of built-in stages is generated from their definitions", () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(readmeWithStageTable(readme));
    for (const name of builtinStages.keys()) expect(readme).toContain(`| \`${name}\` |`);
    expect(readme).toContain('torch.optim.Adam: `name`, `lr`, `betas`, `eps`, `weight_decay`, `amsgrad`');
  });

  it('a stale table or schema is seen as different', () => {
    const readme = readFileSync('README.md', 'utf8');
    const stale = readme.replace('| `blobs` |', '| `blobz` |');
    expect(readmeWithStageTable(stale)).not.toBe(stale);
  });

  it("checks each built-in stage's params for editors", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(pipelineSchemaFor(new Map([...testStages].filter(([name]) => name !== 'broken'))));
    expect(validate({ stages: { t: { uses: 'train', with: { epochs: 3 } } } })).toBe(true);
    expect(validate({ stages: { t: { uses: 'train', with: { epochs: 0 } }, d: { uses: 'blobs', with: { epochs: 3 } } } })).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`)).toEqual(
      expect.arrayContaining(['/stages/t/with/epochs minimum', '/stages/d/with additionalProperties']),
    );
  });
});

describe('loadPipeline: any input', () => {
  // Random YAML-ish text and random structured pipelines, with random --set values:
  // loading either succeeds or fails with positioned diagnostics, never anything else.
  const words = ['stages', 'uses', 'with', 'inputs', 'name', 'train', 'blobs', 'model', 'broken', 'trian', 'epochs', 'optimizer', 'lr', 'x', '1', '0', '-1', '.5', '.nan', 'null', 'true', '"', "'", ':', ': ', ' ', '  ', '\n', '\t', '-', '- ', ',', '[', ']', '{', '}', '&a ', '*a', '!t ', '#', '|', '>', '?', '<<', '%', '@', '---', '\\', 'é', '\u0000'];
  const yamlish = fc.array(fc.constantFrom(...words), { maxLength: 60 }).map((parts) => parts.join(''));
  const stageEntry = fc.record(
    {
      uses: fc.oneof(fc.constantFrom('blobs', 'model', 'train', 'broken', 'trian', './nope.ts', ''), fc.jsonValue()),
      with: fc.oneof(fc.dictionary(fc.constantFrom('epochs', 'optimizer', 'n_samples', 'noise', 'layers', 'zz', '__proto__'), fc.jsonValue()), fc.jsonValue()),
      inputs: fc.oneof(fc.dictionary(fc.constantFrom('dataset', 'model', 'datset'), fc.oneof(fc.constantFrom('d', 'd.x', 'd..x'), fc.jsonValue())), fc.jsonValue()),
    },
    { requiredKeys: [] },
  );
  const structured = fc
    .record({ name: fc.oneof(fc.constantFrom('ok', 'Bad Name'), fc.jsonValue()), stages: fc.dictionary(fc.constantFrom('d', 't', 'm', '1st', 'a-b'), stageEntry) }, { requiredKeys: ['stages'] })
    .map((doc) => stringify(doc));
  const setArg = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc
      .tuple(fc.constantFrom('d', 't', 'm', 'zz', ''), fc.array(fc.constantFrom('epochs', 'optimizer', 'lr', 'layers', '0', '', '__proto__'), { maxLength: 3 }), fc.constantFrom('=', ''), fc.oneof(fc.constantFrom('1', 'fast', '[1, 2]', '{a: 1}', '[1,', '*a', '', '!!binary x'), fc.string({ maxLength: 8 })))
      .map(([id, path, eq, value]) => `${[id, ...path].join('.')}${eq}${value}`),
  );

  it('resolves, or rejects with a PipelineInputError whose diagnostics all have a place and a message', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(yamlish, structured), fc.array(setArg, { maxLength: 3 }), async (text, overrides) => {
        const file = writePipeline(text);
        try {
          await load(file, { overrides });
        } catch (err) {
          if (!(err instanceof PipelineInputError)) throw err;
          expect(err.diagnostics.length).toBeGreaterThan(0);
          for (const d of err.diagnostics) {
            expect(d.file.length).toBeGreaterThan(0);
            expect(Number.isInteger(d.line) && d.line >= 0 && Number.isInteger(d.col) && d.col >= 0).toBe(true);
            expect(d.message.length).toBeGreaterThan(0);
          }
        } finally {
          unlinkSync(file);
        }
      }),
      { numRuns: 300 },
    );
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { NotJsonError, canonicalJson, hashValue } from '../../src/util/canonical.ts';
import { declaredChange, paramsDiff } from '../../src/engine/reuse/changes.ts';
import { PipelineInputError } from '../../src/engine/errors.ts';
import { LOCK_VERSION, lockPathFor, readLock, writeLock } from '../../src/engine/record/lock.ts';
import { planPipeline } from '../../src/engine/plan/plan.ts';
import { sha256 } from '../../src/util/canonical.ts';
import { artifact, defineStage } from '../../src/contract/stage.ts';
import { rxlabVersion } from '../../src/version.ts';
import { chain, runCached } from '../helpers/counting-stages.ts';
import { pipelineOf, tempDir } from '../helpers/engine.ts';

describe('canonical JSON', () => {
  it('sorts keys at every level, so equal data hashes equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"e":2,"f":1}]},"b":1}');
    expect(hashValue({ x: 1, y: 2 })).toBe(hashValue({ y: 2, x: 1 }));
    expect(hashValue({ x: 1 })).toBe(sha256('{"x":1}'));
  });

  it('writes numbers as JSON does, and drops undefined members', () => {
    expect(canonicalJson([0.1, 1e-7, -0, NaN, Infinity])).toBe('[0.1,1e-7,0,null,null]');
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });

  it('refuses what JSON cannot carry, with where it is', () => {
    expect(() => canonicalJson({ w: [1, new Float64Array(1)] })).toThrow(new NotJsonError('w[1]', 'a Float64Array'));
    expect(() => canonicalJson({ f: () => 1 })).toThrow('a function at f is not JSON data');
    expect(() => canonicalJson(new Map())).toThrow('a Map is not JSON data');
  });

  it('indents only the outer levels when asked', () => {
    expect(canonicalJson({ s: { a: { x: [1, 2] } } }, 2)).toBe('{\n  "s": {\n    "a": {"x":[1,2]}\n  }\n}');
  });
});

describe('change reasons', () => {
  it('names each changed param with its old and new value', () => {
    expect(paramsDiff({ optimizer: { lr: 0.01, name: 'sgd' }, epochs: 1000 }, { optimizer: { lr: 0.1, name: 'sgd' }, epochs: 1000 })).toBe(
      'optimizer.lr 0.01 → 0.1',
    );
    expect(paramsDiff({ layers: [2, 1], seed: 1 }, { layers: [2, 4, 1], batch: 8 })).toBe('batch (unset) → 8, layers [2,1] → [2,4,1], seed 1 → (unset)');
    expect(paramsDiff({ c: [[0, 1]], a: 1, b: 1, d: 1 }, { c: [[0, 2]], a: 2, b: 2, d: 2 })).toBe('a 1 → 2, b 1 → 2, c[0][1] 1 → 2 and 1 more');
  });

  it('asks the cheapest question first', () => {
    const entry = { uses: 'train', code: 'rxlab@0.1.0', paramsHash: hashValue({ lr: 1 }), params: { lr: 1 }, inputs: {}, outputs: {}, artifacts: {}, values: {}, metrics: {} };
    expect(declaredChange(undefined, entry, {})).toBe('never run');
    expect(declaredChange(entry, { ...entry, uses: 'evaluate' }, {})).toBe('stage changed: train → evaluate');
    expect(declaredChange(entry, { ...entry, code: 'rxlab@0.2.0' }, {})).toBe('code changed (rxlab 0.1.0 → 0.2.0)');
    expect(declaredChange({ ...entry, uses: './s.ts', code: 'sha256:a' }, { ...entry, uses: './s.ts', code: 'sha256:b' }, {})).toBe(
      'code changed (./s.ts modified)',
    );
    expect(declaredChange(entry, { ...entry, paramsHash: hashValue({ lr: 2 }) }, { lr: 2 })).toBe('params changed: lr 1 → 2');
    expect(declaredChange(entry, entry, { lr: 1 })).toBeUndefined();
  });

  it('names a file the stage reads whose content changed, went missing, or is new', () => {
    const entry = { uses: 'dataset', code: 'rxlab@0.1.0', paramsHash: hashValue({}), params: {}, inputs: {}, outputs: {}, artifacts: {}, values: {}, metrics: {} };
    const reading = (files: Record<string, string>) => ({ ...entry, files });
    expect(declaredChange(reading({ 'd.csv': 'a' }), reading({ 'd.csv': 'b' }), {})).toBe('d.csv changed');
    expect(declaredChange(reading({ 'd.csv': 'a' }), reading({ 'd.csv': 'missing' }), {})).toBe('d.csv missing');
    expect(declaredChange(reading({ 'd.csv': 'a' }), reading({ 'e.csv': 'a' }), {})).toBe('no longer reads d.csv');
    expect(declaredChange(entry, reading({ 'e.csv': 'a' }), {})).toBe('reads e.csv, which it did not before');
    expect(declaredChange(reading({ 'd.csv': 'a' }), entry, {})).toBe('no longer reads d.csv');
    expect(declaredChange(reading({ 'd.csv': 'a' }), reading({ 'd.csv': 'a' }), {})).toBeUndefined();
  });
});

describe('lock file', () => {
  it('sits beside the pipeline, named after its file', () => {
    expect(lockPathFor('/p/pipelines/perceptron.yaml')).toBe('/p/pipelines/perceptron.lock.json');
    expect(lockPathFor('/p/xor-mlp.yml')).toBe('/p/xor-mlp.lock.json');
  });

  it('records per stage the key, output hashes, artifact hashes and small JSON contents', async () => {
    const out = tempDir();
    const { lock } = await runCached(chain(), out);
    expect(lock.lockVersion).toBe(LOCK_VERSION);
    expect(lock.stages.x).toEqual({
      uses: 'source',
      code: `rxlab@${rxlabVersion()}`,
      params: { n: 1 },
      paramsHash: hashValue({ n: 1 }),
      inputs: {},
      outputs: { value: hashValue(1) },
      artifacts: { 'value.json': sha256('{"n":1}\n') },
      values: { 'value.json': { n: 1 } },
      metrics: { n: 1 },
    });
    // Input hashes are the hashes of the values the stage was given.
    expect(lock.stages.sum.inputs).toEqual({ a: hashValue(1), b: hashValue(2) });
    expect(lock.stages.sum).toMatchObject({ values: {}, metrics: {} });
    // A stage reused from the cache keeps the values and metrics it recorded when it ran.
    const again = await runCached(chain(), out, lock);
    expect(again.said).toEqual(['sum: cached', 'total: cached', 'x: cached', 'y: cached']);
    expect(again.lock).toEqual(lock);
    expect(again.manifest.stages.x.metrics).toEqual({ n: 1 });
  });

  it('keeps no values for a JSON artifact over 64 KB', async () => {
    const big = defineStage({
      name: 'big',
      description: 'a large JSON artifact',
      params: {},
      inputs: {},
      outputs: { done: { kind: 'x-flag' } },
      run: (ctx) => of(artifact('big.json', JSON.stringify(Array(70_000).fill(0))), artifact('small.json', '[1]'), ctx.output('done', true)),
    });
    const { lock } = await runCached(planPipeline(pipelineOf({ b: { stage: big } })), tempDir());
    expect(Object.keys(lock.stages.b.artifacts)).toEqual(['big.json', 'small.json']);
    expect(lock.stages.b.values).toEqual({ 'small.json': [1] });
  });

  it('is written in canonical order, the same bytes for the same run', async () => {
    const dir = tempDir();
    const { lock } = await runCached(chain(), tempDir());
    await writeLock(join(dir, 'a.lock.json'), lock);
    await writeLock(join(dir, 'b.lock.json'), (await runCached(chain(), tempDir())).lock);
    const text = readFileSync(join(dir, 'a.lock.json'), 'utf8');
    expect(readFileSync(join(dir, 'b.lock.json'), 'utf8')).toBe(text);
    expect(text).toContain('\n      "params": {\n        "n": 1\n      },\n');
    expect(await readLock(join(dir, 'a.lock.json'))).toEqual(lock);
  });

  it('reads a missing lock as none, and an unreadable one as an input error that says what to do', async () => {
    const dir = tempDir();
    expect(await readLock(join(dir, 'none.lock.json'))).toBeUndefined();
    const file = join(dir, 'bad.lock.json');
    writeFileSync(file, '{"stages": ');
    await expect(readLock(file)).rejects.toThrow(PipelineInputError);
    await expect(readLock(file)).rejects.toThrow(/bad\.lock\.json: not a lock file: .*; restore it from git, or delete it and run `rxlab run`/);
    writeFileSync(file, '{"lockVersion": 9, "stages": {}}');
    await expect(readLock(file)).rejects.toThrow('lock format 9 is not the one this rxlab reads (2)');
  });
});

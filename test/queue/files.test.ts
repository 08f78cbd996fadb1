/** A trial's folder as files: listed, laid out in a worker's reused folder, and written back into the coordinator's. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFolder, listFolder, TrialFolder } from '../../src/queue/files.ts';
import type { FileEntry } from '../../src/queue/protocol.ts';
import { tempDir } from '../helpers/engine.ts';

const entry = (path: string, text: string): FileEntry => ({ path, sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) });

describe("a trial's folder", () => {
  it('lists its files with their hashes, leaving out run locks and temporary files', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'train', '.rxlab'), { recursive: true });
    writeFileSync(join(dir, 'rxlab.lock.json'), '{}');
    writeFileSync(join(dir, 'train', 'history.json'), '[1]');
    writeFileSync(join(dir, 'train', '.rxlab', 'outputs.json'), '{"a":1}');
    writeFileSync(join(dir, '.rxlab-run.lock'), '{"pid":1}');
    writeFileSync(join(dir, 'train', '.weights.bin.rxlab-tmp-0a1b2c'), 'half');
    expect(await listFolder(dir)).toEqual([entry('rxlab.lock.json', '{}'), entry('train/.rxlab/outputs.json', '{"a":1}'), entry('train/history.json', '[1]')]);
    expect(await listFolder(join(dir, 'missing'))).toEqual([]);
  });

  it("is brought from one trial's files to the next by writing only what it lacks", async () => {
    const folder = await TrialFolder.create();
    const shared = entry('data/dataset.json', '[1,2,3]');
    const first = [shared, entry('rxlab.lock.json', '{"trial":1}'), entry('train/old/only.json', 'x')];
    const asked: string[][] = [];
    const fetch = async (missing: FileEntry[]): Promise<Buffer[]> => {
      asked.push(missing.map((f) => f.path));
      const texts: Record<string, string> = { 'data/dataset.json': '[1,2,3]', 'rxlab.lock.json': '{"trial":1}', 'train/old/only.json': 'x', 'evaluate/metrics.json': '{"accuracy":1}' };
      return missing.map((f) => Buffer.from(f.path === 'rxlab.lock.json' && f.bytes === 13 ? '{"trial":2}  ' : texts[f.path]));
    };
    await folder.become(first, fetch);
    const inode = statSync(join(folder.dir, 'data', 'dataset.json')).ino;
    // The run writes a file; the listing reads only what is new or rewritten.
    writeFileSync(join(folder.dir, 'run.json'), '{"status":"completed"}');
    expect(await folder.list()).toEqual([shared, entry('run.json', '{"status":"completed"}'), entry('rxlab.lock.json', '{"trial":1}'), entry('train/old/only.json', 'x')]);

    const second = [shared, entry('evaluate/metrics.json', '{"accuracy":1}'), entry('rxlab.lock.json', '{"trial":2}  ')];
    await folder.become(second, fetch);
    expect(asked).toEqual([['data/dataset.json', 'rxlab.lock.json', 'train/old/only.json'], ['evaluate/metrics.json', 'rxlab.lock.json']]);
    expect(await listFolder(folder.dir)).toEqual(second);
    expect(statSync(join(folder.dir, 'data', 'dataset.json')).ino).toBe(inode); // kept, not rewritten
    expect(existsSync(join(folder.dir, 'train'))).toBe(false); // emptied folders go too
    await folder.remove();
    expect(existsSync(folder.dir)).toBe(false);
  });

  it('is written back: removed files go, changed ones are written, the rest is left alone', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'train'));
    writeFileSync(join(dir, 'keep.json'), 'same');
    writeFileSync(join(dir, 'train', 'history.incomplete.json'), '[0.7]');
    const before = [entry('keep.json', 'same'), entry('train/history.incomplete.json', '[0.7]')];
    const after = [entry('keep.json', 'same'), entry('run.json', '{}'), entry('train/history.json', '[0.7,0.6]')];
    const contents = new Map([
      ['run.json', Buffer.from('{}')],
      ['train/history.json', Buffer.from('[0.7,0.6]')],
    ]);
    await applyFolder(dir, before, after, contents);
    expect(await listFolder(dir)).toEqual(after);
    expect(readFileSync(join(dir, 'train', 'history.json'), 'utf8')).toBe('[0.7,0.6]');
  });
});

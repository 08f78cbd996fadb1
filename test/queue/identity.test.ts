/** A pipeline's identity: its file, its user stages with what they import, rxlab's code; and what differs. */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rxlabCodeHash } from '../../src/code-identity.ts';
import { checkoutIdentity, identityDifferences, localImports, stageModules } from '../../src/queue/identity.ts';
import { tempDir } from '../helpers/engine.ts';
import { GRID_FILE, ROOT } from './harness.ts';

describe("a pipeline's identity", () => {
  it('holds each user stage module and the local modules it imports, by path in the checkout; packages it imports (rxlab) are not local', async () => {
    const identity = await checkoutIdentity(ROOT)(GRID_FILE);
    expect(identity.rxlab).toBe(rxlabCodeHash());
    expect(Object.keys(identity.stages)).toEqual(['test/fixtures/queue/stages/shift-points.ts', 'test/fixtures/queue/stages/shift.ts']);
  });

  it('finds what a module imports locally, whatever the syntax', () => {
    const source = `import { a } from './a.ts';
import type { B } from "../b";
export * from './c.js';
export { d } from './d/index.ts';
import './side-effect.ts';
const e = await import('./e.ts');
const f = require('./f.cjs');
import { g } from 'rxjs';
import { h } from 'node:fs';`;
    expect(localImports(source).sort()).toEqual(['../b', './a.ts', './c.js', './d/index.ts', './e.ts', './f.cjs', './side-effect.ts']);
  });

  it('changes with any file it depends on, and says which differs', async () => {
    const root = tempDir();
    cpSync(join(ROOT, 'test', 'fixtures', 'queue'), join(root, 'q'), { recursive: true });
    mkdirSync(join(root, 'q', 'stages', 'util'));
    // The helper now imports a module of its own: a folder's index.
    writeFileSync(join(root, 'q', 'stages', 'util', 'index.ts'), 'export const two = 2;\n');
    writeFileSync(join(root, 'q', 'stages', 'shift-points.ts'), "import { two } from './util';\nexport const shifted = (X: number[][], o: number) => X.map((r) => r.map((x) => x + o * two));\n");
    const identityOf = checkoutIdentity(root);
    const before = await identityOf('q/grid.yaml');
    expect(stageModules('stages: { a: { uses: ./stages/shift.ts } }', join(root, 'q')).map((f) => f.slice(root.length + 1))).toEqual(
      expect.arrayContaining(['q/stages/shift.ts', 'q/stages/shift-points.ts', 'q/stages/util/index.ts']),
    );
    expect(await identityOf('q/grid.yaml')).toBe(before); // cached while nothing changed

    writeFileSync(join(root, 'q', 'stages', 'util', 'index.ts'), 'export const two = 2.0;\n');
    const after = await identityOf('q/grid.yaml');
    expect(after.pipeline).toBe(before.pipeline);
    const differences = identityDifferences(before, after, 'q/grid.yaml');
    expect(differences).toEqual([
      `the stage module q/stages/util/index.ts (sha256 ${before.stages['q/stages/util/index.ts'].slice(0, 12)}… in the job, ${after.stages['q/stages/util/index.ts'].slice(0, 12)}… here)`,
    ]);
    expect(identityDifferences(before, before, 'q/grid.yaml')).toEqual([]);
    const { 'q/stages/util/index.ts': _gone, ...fewer } = before.stages;
    expect(identityDifferences({ ...before, stages: fewer, rxlab: '0'.repeat(64) }, before, 'q/grid.yaml')).toEqual([
      'the stage module q/stages/util/index.ts (used here, not in the job)',
      `rxlab's code (sha256 000000000000… in the job, ${before.rxlab.slice(0, 12)}… here)`,
    ]);
  });
});

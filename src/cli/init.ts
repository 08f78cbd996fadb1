/**
 * `rxlab init [DIR]`: a new experiment project in DIR (the current folder by default),
 * which must be empty or not exist yet: nothing of the user's is ever overwritten.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { projectFiles } from '../init/templates.ts';
import { shown } from '../util/paths.ts';
import { rxlabRoot, rxlabVersion } from '../version.ts';
import { EXIT } from './exit.ts';
import type { ParsedArgs } from './options.ts';

/** A folder name as an npm package name: lowercase, [a-z0-9-._] only. */
const packageName = (folder: string): string =>
  folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|-+$/g, '') || 'experiments';

export async function initCommand(args: ParsedArgs): Promise<number> {
  const dir = resolve(args.operands[0] ?? '.');
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) {
      process.stderr.write(`rxlab init: ${shown(dir)} is a file; give a new or empty folder\n`);
      return EXIT.invalid;
    }
    const present = readdirSync(dir);
    if (present.length > 0) {
      const listed = present.slice(0, 3).join(', ') + (present.length > 3 ? ', …' : '');
      process.stderr.write(`rxlab init: ${shown(dir)} is not empty (${listed}); give a new or empty folder, e.g. rxlab init my-experiments\n`);
      return EXIT.invalid;
    }
  }
  const own = JSON.parse(readFileSync(join(rxlabRoot(), 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies?: Record<string, string> };
  const files = projectFiles({
    name: packageName(basename(dir)),
    rxlabVersion: rxlabVersion(),
    rxjs: own.dependencies.rxjs,
    tsx: own.dependencies.tsx,
    // An installed rxlab has no dev dependencies of its own to read.
    nodeTypes: own.devDependencies?.['@types/node'] ?? `^${process.versions.node.split('.')[0]}.0.0`,
  });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text, { flag: 'wx' });
  }
  const cd = args.operands[0] ? `cd ${args.operands[0]} && ` : '';
  process.stdout.write(
    [
      `a new rxlab project in ${shown(dir)}:`,
      ...Object.keys(files).map((path) => `  ${path}`),
      '',
      'next:',
      `  ${cd}npm install`,
      '  npx rxlab run pipelines/example.yaml',
      '  npx rxlab check',
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}

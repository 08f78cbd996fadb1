/**
 * `npm run bench [name…]`: runs each `bench/<name>.bench.ts` in its own process (so
 * memory and cold-start figures are not polluted by the others), in order, and
 * collects the Markdown each prints. With no names it runs all of them and rewrites
 * BENCHMARKS.md; with names it only prints.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const wanted = process.argv.slice(2);
const all = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const files = wanted.length ? wanted.map((n) => `${n}.bench.ts`) : all;

const sections: string[] = [];
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`);
  const out = execFileSync(process.execPath, ['--import', 'tsx', `bench/${file}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  sections.push(out.trim());
  process.stdout.write(`${out.trim()}\n\n`);
}

if (!wanted.length) {
  const header = [
    '# Benchmarks',
    '',
    'Produced by `npm run bench` (each `bench/*.bench.ts` in its own process).',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    'The machine is shared and noisy: figures are medians, and ratios are taken within one run.',
  ].join('\n');
  writeFileSync('BENCHMARKS.md', `${header}\n\n${sections.join('\n\n')}\n`);
}

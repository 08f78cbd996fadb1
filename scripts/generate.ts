/**
 * `npm run generate`: writes the files that are made from the built-in stage definitions,
 * so they never drift from the code — `schemas/pipeline.schema.json` (for editors) and the
 * table of built-in stages in README.md. test/generated.test.ts fails while either is out
 * of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { JsonSchema, Stage } from '../src/contract/stage.ts';
import { pipelineSchemaFor } from '../src/engine/load/pipeline-schema.ts';
import { builtinStages } from '../src/stages/registry.ts';

const BEGIN = '<!-- built-in stages: made by `npm run generate` from the stage definitions; edit those, not this table -->';
const END = '<!-- end of built-in stages -->';

/** The editor schema: the pipeline's structure, with `with:` typed per built-in stage. */
export const pipelineSchemaText = (): string => `${JSON.stringify(pipelineSchemaFor(builtinStages), null, 2)}\n`;

/** README.md with its built-in stage table made anew from `builtinStages`. */
export function readmeWithStageTable(readme: string): string {
  const [start, end] = [readme.indexOf(BEGIN), readme.indexOf(END)];
  if (start < 0 || end < start) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
  return `${readme.slice(0, start)}${BEGIN}\n${stageTable([...builtinStages.values()])}\n${readme.slice(end)}`;
}

function stageTable(stages: Stage[]): string {
  const rows = stages.map((s) => `| \`${s.name}\` | ${ports(s)} | ${cell(s.description)}${metrics(s)} | ${params(s.params)} |`);
  return ['| `uses:` | inputs → outputs | what it does | params (default) |', '|---|---|---|---|', ...rows].join('\n');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function ports(stage: Stage): string {
  const list = (ports: Stage['inputs']): string =>
    Object.entries(ports)
      .map(([name, p]) => `\`${name}\`${p.stream ? ' (live)' : ''}${p.optional ? ' (optional)' : ''}`)
      .join(', ');
  return `${list(stage.inputs)} → ${list(stage.outputs)}`.trim();
}

function metrics(stage: Stage): string {
  const entries = Object.entries(stage.metrics);
  if (entries.length === 0) return '';
  return ` Metrics: ${entries.map(([name, m]) => `\`${stage.name}.${name}\` (${m.direction === 'maximize' ? 'higher' : 'lower'} is better${m.input ? `; with ${m.input}` : ''})`).join(', ')}.`;
}

/** Each top-level param: its name, default and description; a choice of variants lists each variant's params. */
function params(schema: JsonSchema): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties)
    .map(([name, p]) => {
      const marks = [required.has(name) ? 'required' : '', p.default !== undefined ? JSON.stringify(p.default) : ''].filter(Boolean).join(', ');
      const variants = (p.oneOf as JsonSchema[] | undefined)?.filter((v) => v.properties) ?? [];
      const described = variants.length
        ? variants.map((v) => `${cell(String(v.description ?? ''))}: ${Object.keys(v.properties as object).map((k) => `\`${k}\``).join(', ')}`).join('; ')
        : cell(String(p.description ?? ''));
      return `\`${name}\`${marks ? ` (${marks})` : ''}${described ? ` — ${described}` : ''}`;
    })
    .join('<br>');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync('schemas/pipeline.schema.json', pipelineSchemaText());
  writeFileSync('README.md', readmeWithStageTable(readFileSync('README.md', 'utf8')));
  process.stdout.write('wrote schemas/pipeline.schema.json and the built-in stage table of README.md\n');
}

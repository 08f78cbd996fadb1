/**
 * The CLI's commands and options in one typed table: the parser and `--help` are both
 * generated from it, so they cannot disagree.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  argument?: string;
  multiple?: boolean;
  short?: string;
}

export const options = {
  out: { type: 'string', argument: 'DIR', description: 'write artifacts to DIR instead of outputs/<pipeline-name>' },
  set: {
    type: 'string',
    argument: 'STAGE.PARAM=VALUE',
    multiple: true,
    description: 'override a param, e.g. --set train.optimizer.lr=0.1 (repeatable)',
  },
  json: { type: 'boolean', description: 'print one JSON event per line instead of the progress display' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  version: { type: 'boolean', short: 'v', description: 'print the version' },
} as const satisfies Record<string, OptionSpec>;

export const commands = {
  run: 'run the pipeline in FILE and record its artifacts',
  plan: 'print the stages of FILE in run order and what feeds each, without running anything',
} as const;

export type Command = keyof typeof commands;

export interface ParsedArgs {
  command?: Command;
  file?: string;
  out?: string;
  set: string[];
  json: boolean;
  help: boolean;
  version: boolean;
}

/** Usage errors (unknown command or flag) exit with code 2, like invalid input. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCliArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see rxlab --help`);
  }
  const { values, positionals } = parsed;
  const [command, file, ...extra] = positionals;
  if (command !== undefined && !(command in commands)) {
    throw new UsageError(`unknown command "${command}"; commands are ${Object.keys(commands).join(', ')}`);
  }
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"; give one pipeline file`);
  return {
    command: command as Command | undefined,
    file,
    out: values.out,
    set: values.set ?? [],
    json: values.json ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}

export function helpText(): string {
  const width = 28;
  const lines = ['Usage: rxlab <command> FILE [options]', '', 'Commands:'];
  for (const [name, description] of Object.entries(commands)) lines.push(`  ${name.padEnd(width)}${description}`);
  lines.push('', 'Options:');
  for (const [name, spec] of Object.entries(options) as [string, OptionSpec][]) {
    const short = spec.short ? `-${spec.short}, ` : '';
    const flag = `${short}--${name}${spec.argument ? ` ${spec.argument}` : ''}`;
    lines.push(`  ${flag.padEnd(width)}${spec.description}`);
  }
  lines.push('', 'Exit codes: 0 success, 1 a stage failed or the run was interrupted, 2 invalid input.');
  return lines.join('\n');
}

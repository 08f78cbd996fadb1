/**
 * The CLI's commands and options in one typed table: the parser and `--help` are both
 * generated from it, so they cannot disagree.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { STAGE_ID_PATTERN } from '../engine/index.ts';

export const commands = {
  run: 'run the pipeline in FILE, reusing stages that have not changed, and update its lock',
  plan: 'print the stages of FILE in run order and what feeds each, without running anything',
  check: 'run FILE from scratch in a temporary folder and compare every artifact with its lock',
  status: 'say which stages of FILE are up to date, changed or never run, and why, without running anything',
  sweep: 'run every combination of a grid of params (--grid, or the sweep: block of FILE) as parallel trials',
} as const;

export type Command = keyof typeof commands;

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  argument?: string;
  multiple?: boolean;
  short?: string;
  /** The value may be left out (`--force` alone); it is taken only when the next word is a stage id. */
  optionalValue?: boolean;
  /** The commands it applies to; all when absent. */
  commands?: readonly Command[];
}

export const options = {
  out: {
    type: 'string',
    argument: 'DIR',
    commands: ['run', 'status', 'sweep'],
    description: 'artifacts in DIR instead of outputs/<pipeline-name> (outputs/<name>/sets/<hash> for a --set run)',
  },
  set: {
    type: 'string',
    argument: 'STAGE.PARAM=VALUE',
    multiple: true,
    commands: ['run', 'plan', 'status'],
    description: 'override a param, e.g. --set train.optimizer.lr=0.1 (repeatable); the committed lock is left alone',
  },
  force: {
    type: 'string',
    argument: '[STAGE]',
    multiple: true,
    optionalValue: true,
    commands: ['run'],
    description: 'run every stage, or only STAGE (repeatable), even when it matches the lock',
  },
  frozen: {
    type: 'boolean',
    commands: ['run'],
    description: 'refuse to run, and exit 1, if the lock would change (for CI)',
  },
  'update-lock': {
    type: 'boolean',
    commands: ['run'],
    description: 'with --set: record the run in the committed lock, in outputs/<pipeline-name>',
  },
  tolerance: {
    type: 'string',
    argument: 'N',
    commands: ['check'],
    description: 'compare JSON artifacts number by number within N (e.g. 1e-6) instead of by bytes',
  },
  grid: {
    type: 'string',
    argument: 'STAGE.PARAM=V1,V2,…',
    multiple: true,
    commands: ['sweep'],
    description: 'values to sweep, e.g. --grid train.optimizer.lr=0.001,0.01,0.1 (repeatable: every combination runs)',
  },
  random: { type: 'string', argument: 'N', commands: ['sweep'], description: 'run N combinations drawn at random (with --seed) instead of all' },
  seed: { type: 'string', argument: 'S', commands: ['sweep'], description: 'seed of --random (default 0)' },
  jobs: { type: 'string', argument: 'N', commands: ['sweep'], description: 'trials at a time (default and most: the number of cores)' },
  oversubscribe: { type: 'boolean', commands: ['sweep'], description: 'allow --jobs above the number of cores' },
  'max-memory': {
    type: 'string',
    argument: 'SIZE',
    commands: ['run', 'plan', 'status', 'check', 'sweep'],
    description: "refuse a pipeline whose data and models need more memory than SIZE (e.g. 2G, 512M; default: the smaller of Node's heap limit and half the machine's memory)",
  },
  'fail-fast': { type: 'boolean', commands: ['sweep'], description: 'stop the sweep at the first failed trial' },
  json: { type: 'boolean', commands: ['run'], description: 'print one JSON event per line instead of the progress display' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  version: { type: 'boolean', short: 'v', description: 'print the version' },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof options;

export interface ParsedArgs {
  command?: Command;
  file?: string;
  out?: string;
  set: string[];
  /** `all` for a bare --force; the stage ids given otherwise; empty without --force. */
  force: 'all' | string[];
  frozen: boolean;
  updateLock: boolean;
  tolerance?: number;
  grid: string[];
  random?: number;
  seed?: number;
  jobs: number;
  oversubscribe: boolean;
  /** `--max-memory`, in bytes. */
  maxMemory?: number;
  failFast: boolean;
  json: boolean;
  help: boolean;
  version: boolean;
}

/** Usage errors (unknown command or flag) exit with code 2, like invalid input. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const stageId = new RegExp(STAGE_ID_PATTERN);
const specOf = (name: string): OptionSpec | undefined => (Object.hasOwn(options, name) ? options[name as OptionName] : undefined);

/**
 * Gives an option whose value may be left out an explicit empty one (`--force` →
 * `--force=`) unless the next word is a stage id: a pipeline file always has a dot or
 * a slash, which stage ids cannot, so `--force FILE` still reads FILE as the file.
 */
function fillOptionalValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const spec = arg.startsWith('--') && !arg.includes('=') ? specOf(arg.slice(2)) : undefined;
    if (spec?.optionalValue && !stageId.test(argv[i + 1] ?? '')) out.push(`${arg}=`);
    else if (spec?.optionalValue || (spec?.type === 'string' && i + 1 < argv.length)) out.push(arg, argv[++i]);
    else out.push(arg);
  }
  return out;
}

export function parseCliArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: fillOptionalValues(argv), options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see rxlab --help`);
  }
  const { values, positionals } = parsed;
  const [command, file, ...extra] = positionals;
  if (command !== undefined && !(command in commands)) {
    throw new UsageError(`unknown command "${command}"; commands are ${Object.keys(commands).join(', ')}`);
  }
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"; give one pipeline file`);
  for (const name of Object.keys(values)) {
    const applies = specOf(name)?.commands;
    if (command && applies && !applies.includes(command as Command)) {
      throw new UsageError(`--${name} applies to ${applies.map((c) => `rxlab ${c}`).join(' and ')}, not rxlab ${command}`);
    }
  }
  const force = values.force ?? [];
  return {
    command: command as Command | undefined,
    file,
    out: values.out,
    set: values.set ?? [],
    force: force.includes('') ? 'all' : force,
    frozen: values.frozen ?? false,
    updateLock: values['update-lock'] ?? false,
    tolerance: values.tolerance === undefined ? undefined : parseTolerance(values.tolerance),
    grid: values.grid ?? [],
    random: values.random === undefined ? undefined : parseCount('--random', values.random, 1),
    seed: values.seed === undefined ? undefined : parseCount('--seed', values.seed, 0),
    jobs: values.jobs === undefined ? availableParallelism() : parseCount('--jobs', values.jobs, 1),
    oversubscribe: values.oversubscribe ?? false,
    maxMemory: values['max-memory'] === undefined ? undefined : parseSize('--max-memory', values['max-memory']),
    failFast: values['fail-fast'] ?? false,
    json: values.json ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}

function parseCount(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} expects an integer ≥ ${min}, found "${text}"`);
  return value;
}

/** `2G`, `512M`, `1.5GiB`, `1000000` (bytes): a size in bytes. */
function parseSize(flag: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  const bytes = match ? Number(match[1]) * 1024 ** ' kmgt'.indexOf(match[2].toLowerCase() || ' ') : NaN;
  if (!(bytes >= 1)) throw new UsageError(`${flag} expects a size such as 2G, 512M or 1500000 (bytes), found "${text}"`);
  return Math.round(bytes);
}

function parseTolerance(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`--tolerance expects a number ≥ 0 such as 1e-6, found "${text}"`);
  }
  return value;
}

export function helpText(): string {
  const width = 28;
  const lines = ['Usage: rxlab <command> FILE [options]', '', 'Commands:'];
  for (const [name, description] of Object.entries(commands)) lines.push(`  ${name.padEnd(width)}${description}`);
  lines.push('', 'Options:');
  for (const [name, spec] of Object.entries(options) as [string, OptionSpec][]) {
    const short = spec.short ? `-${spec.short}, ` : '';
    const flag = `${short}--${name}${spec.argument ? ` ${spec.argument}` : ''}`;
    const applies = spec.commands ? ` [${spec.commands.join(', ')}]` : '';
    lines.push(`  ${flag.padEnd(width)}${spec.description}${applies}`);
  }
  lines.push(
    '',
    'Exit codes: 0 success; 1 a stage failed, the run was interrupted, another run holds the outputs',
    'folder, or check, status or --frozen found a difference from the lock; 2 invalid input (the file,',
    'the command line, an outputs folder that cannot be written): nothing was run.',
  );
  return lines.join('\n');
}

/**
 * The CLI's commands and options in one typed table: the parser and `--help` are both
 * generated from it, so they cannot disagree.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { STAGE_ID_PATTERN } from '../engine/index.ts';
import { closest } from '../util/suggest.ts';

/** What a command takes after its name: one pipeline file, several, or a folder. */
export interface CommandSpec {
  description: string;
  /** As --help shows it: `FILE`, `[FILE|GLOB …]`, `[DIR]`. */
  operands: string;
  /** How many operands it takes: at least `min`, at most `max`. */
  min: number;
  max: number;
}

export const commands = {
  run: { operands: 'FILE', min: 1, max: 1, description: 'run the pipeline in FILE, reusing stages that have not changed, and update its lock' },
  plan: { operands: 'FILE', min: 1, max: 1, description: 'print the stages of FILE in run order and what feeds each, without running anything' },
  check: {
    operands: '[FILE|GLOB …]',
    min: 0,
    max: Infinity,
    description: "run each pipeline from scratch in a temporary folder and compare every artifact with its lock; all of the project's pipelines when none is given",
  },
  status: { operands: 'FILE', min: 1, max: 1, description: 'say which stages of FILE are up to date, changed or never run, and why, without running anything' },
  sweep: { operands: 'FILE', min: 1, max: 1, description: 'run every combination of a grid of params (--grid, or the sweep: block of FILE) as parallel trials' },
  init: { operands: '[DIR]', min: 0, max: 1, description: 'create a new experiment project in DIR (default: the current folder), which must be empty' },
} as const satisfies Record<string, CommandSpec>;

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
    description: 'artifacts in DIR instead of outputs/<pipeline-name> (outputs/<name>/runs/<what it sets> for a --set run)',
  },
  set: {
    type: 'string',
    argument: 'STAGE.PARAM=VALUE',
    multiple: true,
    commands: ['run', 'plan', 'status', 'sweep'],
    description: 'override a param, e.g. --set train.optimizer.lr=0.1 (repeatable; every trial of a sweep); the committed lock is left alone',
  },
  backend: {
    type: 'string',
    argument: 'NAME',
    commands: ['run', 'plan', 'status', 'sweep'],
    description: 'what trains and predicts: fused (the default), cpu, wasm or tensorflow; short for --set "*.backend=NAME", every stage that has the param',
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
    argument: 'STAGE.PARAM=VALUES',
    multiple: true,
    commands: ['sweep'],
    description:
      'values to sweep: V1,V2,…, choice(…), range(START, STOP[, STEP]), linspace(START, STOP, N) or logspace(START, STOP, N), e.g. --grid train.optimizer.lr=logspace(-3,-1,3) (repeatable: every combination runs)',
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
  json: { type: 'boolean', commands: ['run'], description: 'print one JSON event per line (schemas/events.schema.json) instead of the progress display' },
  junit: { type: 'string', argument: 'FILE', commands: ['check'], description: 'also write a JUnit XML report: one test case per stage and artifact' },
  format: {
    type: 'string',
    argument: 'text|github',
    commands: ['check'],
    description: 'github: also annotations on the pipeline lines that drifted, and a Markdown summary to $GITHUB_STEP_SUMMARY',
  },
  verbose: { type: 'boolean', short: 'v', commands: ['run', 'check'], description: 'more detail: a line per file written; check shows the runs' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  version: { type: 'boolean', description: 'print the version' },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof options;

export interface ParsedArgs {
  command?: Command;
  /** The first operand (the pipeline file of run, plan, status, sweep). */
  file?: string;
  /** Every operand after the command. */
  operands: string[];
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
  junit?: string;
  format: 'text' | 'github';
  verbose: boolean;
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

/** parseArgs' errors in rxlab's words, with the option meant when one is near. */
function usageErrorOf(err: unknown): UsageError {
  const { code, message } = err as { code?: string; message: string };
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const given = unknown[1];
    const near = closest(given.replace(/^-+/, '').split('=')[0], Object.keys(options));
    return new UsageError(`unknown option ${given}${near ? ` (did you mean --${near}?)` : ''}; see rxlab --help`);
  }
  const missing = /^Option '(?:-\w, )?--([\w-]+) <value>' argument missing/.exec(message);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && missing) {
    const spec = specOf(missing[1]);
    return new UsageError(`--${missing[1]} needs a value${spec?.argument ? ` (${spec.argument})` : ''}; see rxlab --help`);
  }
  return new UsageError(`${message.replace(/\.$/, '')}; see rxlab --help`);
}

export function parseCliArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: fillOptionalValues(argv), options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageErrorOf(err);
  }
  const { values, positionals } = parsed;
  const [command, ...operands] = positionals;
  if (command !== undefined && !Object.hasOwn(commands, command)) {
    const near = closest(command, Object.keys(commands));
    throw new UsageError(`unknown command "${command}"${near ? ` (did you mean "${near}"?)` : ''}; commands are ${Object.keys(commands).join(', ')}`);
  }
  const spec: CommandSpec | undefined = command === undefined ? undefined : commands[command as Command];
  if (spec && operands.length > spec.max) {
    throw new UsageError(`unexpected argument "${operands[spec.max]}"; rxlab ${command} takes ${spec.operands}`);
  }
  for (const name of Object.keys(values)) {
    const applies = specOf(name)?.commands;
    if (command && applies && !applies.includes(command as Command)) {
      throw new UsageError(`--${name} applies to ${applies.map((c) => `rxlab ${c}`).join(' and ')}, not rxlab ${command}`);
    }
  }
  if (values.format !== undefined && values.format !== 'text' && values.format !== 'github') {
    throw new UsageError(`--format expects text or github, found "${values.format}"`);
  }
  const force = values.force ?? [];
  return {
    command: command as Command | undefined,
    file: operands[0],
    operands,
    out: values.out,
    set: [...(values.set ?? []), ...(values.backend === undefined ? [] : [`*.backend=${values.backend}`])],
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
    junit: values.junit,
    format: values.format ?? 'text',
    verbose: values.verbose ?? false,
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
  const lines = ['Usage: rxlab <command> [FILE …] [options]', '', 'Commands:'];
  for (const [name, spec] of Object.entries(commands) as [string, CommandSpec][]) lines.push(`  ${`${name} ${spec.operands}`.padEnd(width)}${spec.description}`);
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

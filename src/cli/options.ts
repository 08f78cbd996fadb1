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
  exp: "FILE's runs on record (every run, --set run, sweep trial and check): show, diff or apply them",
  report: "write again the report.html of FILE's latest run, of RUN or of a sweep's folder; given several RUNs, a page that sets them side by side",
} as const;

export type Command = keyof typeof commands;

/** What a command takes after FILE; `…` at the end: any number of them. */
export const commandArgs: Partial<Record<Command, readonly string[]>> = {
  report: ['RUN…'],
};

/** Commands made of subcommands (`rxlab exp show FILE`): each one's description and the arguments it takes after FILE. */
export const subcommands: Partial<Record<Command, Record<string, { description: string; args: readonly string[] }>>> = {
  exp: {
    show: { description: 'one table of every run: the params that differ between them and their metrics', args: [] },
    diff: { description: 'how run B differs from run A: params, metrics with their change, artifacts', args: ['A', 'B'] },
    apply: { description: "make RUN the pipeline as committed: its params into FILE (comments kept), its outputs and lock entries in", args: ['RUN'] },
  },
};

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  argument?: string;
  multiple?: boolean;
  short?: string;
  /**
   * The value may be left out (`--force` alone); it is taken only when the next word is a
   * stage id (`true`), or matches this pattern (`--serve 8080`).
   */
  optionalValue?: true | RegExp;
  /** The commands it applies to; all when absent. */
  commands?: readonly Command[];
  /** Of a command with subcommands, the ones it applies to; all when absent. */
  subcommands?: readonly string[];
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
  name: {
    type: 'string',
    argument: 'NAME',
    commands: ['run'],
    description: 'name the run NAME in its record and, for a --set run, its folder (outputs/<pipeline-name>/runs/NAME)',
  },
  'update-lock': {
    type: 'boolean',
    commands: ['run'],
    description: 'with --set: make this the committed run (outputs/<pipeline-name>, the lock) and, once it completed, write the values into FILE (comments kept)',
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
  jobs: { type: 'string', argument: 'N', commands: ['sweep'], description: 'trials at a time (default: the number of cores)' },
  'fail-fast': { type: 'boolean', commands: ['sweep'], description: 'stop the sweep at the first failed trial' },
  metric: {
    type: 'string',
    argument: 'STAGE.METRIC',
    commands: ['sweep'],
    description: "the sweep's objective, e.g. --metric evaluate.accuracy: the best trial is the one best by it, in the metric's declared direction",
  },
  maximize: { type: 'boolean', commands: ['sweep'], description: 'the best trial has the largest --metric (instead of its declared direction)' },
  minimize: { type: 'boolean', commands: ['sweep'], description: 'the best trial has the smallest --metric (instead of its declared direction)' },
  serve: {
    type: 'string',
    argument: '[PORT]',
    optionalValue: /^\d+$/,
    commands: ['run', 'sweep'],
    description: 'show the run live in a browser: a page on http://127.0.0.1:PORT/ (any free port without PORT), fed by its events',
  },
  json: {
    type: 'boolean',
    commands: ['run', 'exp'],
    description: 'run: one JSON event per line instead of the progress display; exp show, exp diff: the runs or their differences as JSON',
  },
  csv: { type: 'boolean', commands: ['exp'], subcommands: ['show'], description: 'the table as CSV (every column, numbers in full)' },
  sort: {
    type: 'string',
    argument: 'COLUMN',
    commands: ['exp'],
    subcommands: ['show'],
    description: 'order the runs by a metric (best first, by its direction), a param (stage.param) or id, name, status, started, duration',
  },
  filter: {
    type: 'string',
    argument: 'COLUMN<OP>VALUE',
    multiple: true,
    commands: ['exp'],
    subcommands: ['show'],
    description: 'only runs where COLUMN OP VALUE holds, OP one of = != < <= > >=, e.g. --filter evaluate.accuracy>=0.9 (repeatable: all must hold)',
  },
  'all-params': { type: 'boolean', commands: ['exp'], subcommands: ['show'], description: 'a column for every param, not only those that differ between the runs shown' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  version: { type: 'boolean', short: 'v', description: 'print the version' },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof options;

export interface ParsedArgs {
  command?: Command;
  /** Of a command made of subcommands (`exp`): which one. */
  subcommand?: string;
  file?: string;
  /** What follows FILE for the subcommands that take more (`exp diff FILE A B`). */
  args: string[];
  out?: string;
  name?: string;
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
  failFast: boolean;
  /** `--serve`: the live view's port, 0 for any free one; absent without --serve. */
  serve?: number;
  metric?: string;
  direction?: 'maximize' | 'minimize';
  json: boolean;
  csv: boolean;
  sort?: string;
  filter: string[];
  allParams: boolean;
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
    const valueForm = spec?.optionalValue === true ? stageId : spec?.optionalValue;
    if (valueForm && !valueForm.test(argv[i + 1] ?? '')) out.push(`${arg}=`);
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
  const [command, ...rest] = positionals;
  if (command !== undefined && !(command in commands)) {
    throw new UsageError(`unknown command "${command}"; commands are ${Object.keys(commands).join(', ')}`);
  }
  const subs = command === undefined ? undefined : subcommands[command as Command];
  const subcommand = subs ? rest.shift() : undefined;
  if (subs && subcommand !== undefined && !Object.hasOwn(subs, subcommand)) {
    throw new UsageError(`unknown subcommand "${command} ${subcommand}"; rxlab ${command} takes ${Object.keys(subs).join(', ')}`);
  }
  const [file, ...extra] = rest;
  const takes = subs && subcommand !== undefined ? subs[subcommand].args : (commandArgs[command as Command] ?? []);
  const variadic = takes.at(-1)?.endsWith('…') ?? false;
  const fits = variadic ? extra.length >= takes.length - 1 : extra.length === takes.length;
  if (file !== undefined && !fits && !values.help) {
    const usage = `rxlab ${[command, subcommand].filter(Boolean).join(' ')} FILE${takes.map((a) => (a.endsWith('…') ? ` [${a}]` : ` ${a}`)).join('')}`;
    throw new UsageError(extra.length > takes.length ? `unexpected argument "${extra[takes.length]}"; usage: ${usage}` : `missing ${takes.slice(extra.length).join(' and ')}; usage: ${usage}`);
  }
  for (const name of Object.keys(values)) {
    const applies = specOf(name)?.commands;
    if (command && applies && !applies.includes(command as Command)) {
      throw new UsageError(`--${name} applies to ${applies.map((c) => `rxlab ${c}`).join(' and ')}, not rxlab ${command}`);
    }
    const appliesSub = specOf(name)?.subcommands;
    if (subcommand && appliesSub && !appliesSub.includes(subcommand)) {
      throw new UsageError(`--${name} applies to ${appliesSub.map((c) => `rxlab ${command} ${c}`).join(' and ')}, not rxlab ${command} ${subcommand}`);
    }
  }
  if (values.maximize && values.minimize) throw new UsageError('give --maximize or --minimize, not both');
  if ((values.maximize || values.minimize) && values.metric === undefined) throw new UsageError(`--${values.maximize ? 'maximize' : 'minimize'} needs --metric STAGE.METRIC`);
  if (values.csv && values.json) throw new UsageError('give --csv or --json, not both');
  if (values['update-lock'] && !values.set?.length) throw new UsageError('--update-lock writes --set values into FILE; give them with --set STAGE.PARAM=VALUE');
  if (values['update-lock'] && values.frozen) throw new UsageError('--update-lock changes the lock, which --frozen forbids; give one of them');
  const force = values.force ?? [];
  return {
    command: command as Command | undefined,
    ...(subcommand !== undefined ? { subcommand } : {}),
    file,
    args: extra,
    out: values.out,
    name: values.name,
    set: values.set ?? [],
    force: force.includes('') ? 'all' : force,
    frozen: values.frozen ?? false,
    updateLock: values['update-lock'] ?? false,
    tolerance: values.tolerance === undefined ? undefined : parseTolerance(values.tolerance),
    grid: values.grid ?? [],
    random: values.random === undefined ? undefined : parseCount('--random', values.random, 1),
    seed: values.seed === undefined ? undefined : parseCount('--seed', values.seed, 0),
    jobs: values.jobs === undefined ? availableParallelism() : parseCount('--jobs', values.jobs, 1),
    failFast: values['fail-fast'] ?? false,
    ...(values.serve !== undefined ? { serve: values.serve === '' ? 0 : parsePort(values.serve) } : {}),
    metric: values.metric,
    direction: values.maximize ? 'maximize' : values.minimize ? 'minimize' : undefined,
    json: values.json ?? false,
    csv: values.csv ?? false,
    sort: values.sort,
    filter: values.filter ?? [],
    allParams: values['all-params'] ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}

function parseCount(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} expects an integer ≥ ${min}, found "${text}"`);
  return value;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--serve expects a port from 1 to 65535, or none for any free port, found "${text}"`);
  return port;
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
  for (const [name, description] of Object.entries(commands)) {
    const args = commandArgs[name as Command]?.map((a) => (a.endsWith('…') ? ` [${a}]` : ` ${a}`)).join('') ?? '';
    lines.push(`  ${`${name}${args}`.padEnd(width)}${description}`);
    for (const [sub, spec] of Object.entries(subcommands[name as Command] ?? {})) {
      lines.push(`    ${`${name} ${sub} FILE${spec.args.map((a) => ` ${a}`).join('')}`.padEnd(width - 2)}${spec.description}`);
    }
  }
  lines.push('', 'Options:');
  for (const [name, spec] of Object.entries(options) as [string, OptionSpec][]) {
    const short = spec.short ? `-${spec.short}, ` : '';
    const flag = `${short}--${name}${spec.argument ? ` ${spec.argument}` : ''}`;
    const applies = spec.commands ? ` [${spec.subcommands ? spec.commands.flatMap((c) => spec.subcommands!.map((sub) => `${c} ${sub}`)).join(', ') : spec.commands.join(', ')}]` : '';
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

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
  exp: {
    operands: 'show|diff|apply FILE …',
    min: 2,
    max: 4,
    description: "FILE's runs on record (every run, --set run, sweep trial and check): show, diff or apply them",
  },
  report: {
    operands: 'FILE [RUN …]',
    min: 1,
    max: Infinity,
    description: "write again the report.html of FILE's latest run, of RUN or of a sweep's folder; given several RUNs, a page that sets them side by side",
  },
  worker: {
    operands: '',
    min: 0,
    max: 0,
    description: "take a queued sweep's trials (rxlab sweep --queue) and run them here, from this checkout, until stopped",
  },
} as const satisfies Record<string, CommandSpec>;

export type Command = keyof typeof commands;

/** Commands made of subcommands (`rxlab exp show FILE`): each one's description and the arguments it takes after FILE. */
export const subcommands: Partial<Record<Command, Record<string, { description: string; args: readonly string[] }>>> = {
  exp: {
    show: { description: 'one table of every run: the params that differ between them and their metrics', args: [] },
    diff: { description: 'how run B differs from run A: params, metrics with their change, artifacts', args: ['A', 'B'] },
    apply: { description: 'make RUN the pipeline as committed: its params into FILE (comments kept), its outputs and lock entries in', args: ['RUN'] },
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
  queue: {
    type: 'string',
    argument: 'URL',
    commands: ['sweep', 'worker'],
    description: 'the Redis (BullMQ) that carries the trials: redis://[user:password@]host:port[/db], rediss:// for TLS; default $REDIS_URL for a worker',
  },
  'queue-file': { type: 'string', argument: 'FILE', commands: ['sweep', 'worker'], description: "read the queue's URL from FILE (keeps the password off the command line)" },
  concurrency: { type: 'string', argument: 'N', commands: ['worker'], description: 'trials at a time, each in a process of its own (default 1)' },
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
    description: 'run: one JSON event per line (schemas/events.schema.json) instead of the progress display; exp show, exp diff: the runs or their differences as JSON',
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
  /** Of a command made of subcommands (`exp`): which one. */
  subcommand?: string;
  /** The pipeline file: the first operand (after the subcommand, for `exp`). */
  file?: string;
  /** Every operand after the command. */
  operands: string[];
  /** What follows FILE (`exp diff FILE A B`, `report FILE RUN…`). */
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
  oversubscribe: boolean;
  /** `--max-memory`, in bytes. */
  maxMemory?: number;
  failFast: boolean;
  /** `--serve`: the live view's port, 0 for any free one; absent without --serve. */
  serve?: number;
  metric?: string;
  direction?: 'maximize' | 'minimize';
  queue?: string;
  queueFile?: string;
  concurrency: number;
  json: boolean;
  csv: boolean;
  sort?: string;
  filter: string[];
  allParams: boolean;
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
    const valueForm = spec?.optionalValue === true ? stageId : spec?.optionalValue;
    if (valueForm && !valueForm.test(argv[i + 1] ?? '')) out.push(`${arg}=`);
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
  const subs = command === undefined ? undefined : subcommands[command as Command];
  const subcommand = subs ? operands[0] : undefined;
  if (subs && subcommand !== undefined && !Object.hasOwn(subs, subcommand)) {
    throw new UsageError(`unknown subcommand "${command} ${subcommand}"; rxlab ${command} takes ${Object.keys(subs).join(', ')}`);
  }
  const [file, ...args] = subs ? operands.slice(1) : operands;
  if (subs && subcommand !== undefined && file !== undefined && !values.help && args.length !== subs[subcommand].args.length) {
    const takes = subs[subcommand].args;
    const usage = `rxlab ${command} ${subcommand} FILE${takes.map((a) => ` ${a}`).join('')}`;
    throw new UsageError(args.length > takes.length ? `unexpected argument "${args[takes.length]}"; usage: ${usage}` : `missing ${takes.slice(args.length).join(' and ')}; usage: ${usage}`);
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
  if (values.format !== undefined && values.format !== 'text' && values.format !== 'github') {
    throw new UsageError(`--format expects text or github, found "${values.format}"`);
  }
  const force = values.force ?? [];
  return {
    command: command as Command | undefined,
    ...(subcommand !== undefined ? { subcommand } : {}),
    file,
    operands,
    args,
    out: values.out,
    name: values.name,
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
    ...(values.serve !== undefined ? { serve: values.serve === '' ? 0 : parsePort(values.serve) } : {}),
    metric: values.metric,
    direction: values.maximize ? 'maximize' : values.minimize ? 'minimize' : undefined,
    queue: values.queue,
    queueFile: values['queue-file'],
    concurrency: values.concurrency === undefined ? 1 : parseCount('--concurrency', values.concurrency, 1),
    json: values.json ?? false,
    csv: values.csv ?? false,
    sort: values.sort,
    filter: values.filter ?? [],
    allParams: values['all-params'] ?? false,
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
  const lines = ['Usage: rxlab <command> [FILE …] [options]', '', 'Commands:'];
  for (const [name, spec] of Object.entries(commands) as [string, CommandSpec][]) {
    lines.push(`  ${`${name} ${spec.operands}`.padEnd(width)}${spec.description}`);
    for (const [sub, s] of Object.entries(subcommands[name as Command] ?? {})) {
      lines.push(`    ${`${name} ${sub} FILE${s.args.map((a) => ` ${a}`).join('')}`.padEnd(width - 2)}${s.description}`);
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

/**
 * What the coordinator and the workers say to each other through Redis: one BullMQ job
 * per trial (`TrialJob`), its return value (`TrialJobResult`), and the keys beside the
 * queue that hold file contents and the sweep's cancellation.
 *
 * Files travel as content under their own keys, not inside the job or its return value:
 * BullMQ copies a return value into its event stream (every `completed` event carries
 * it) and keeps it in the job's hash as JSON, so megabytes of base64 there would be
 * stored twice and parsed by every listener. Under their own keys the bytes are stored
 * once, binary, each checked against its sha256 when read, with an expiry of their own.
 *
 * Both sides validate what they read (ajv): a worker runs nothing but an rxlab trial of
 * a pipeline file in its own checkout, and a coordinator writes nothing outside the
 * trial's folder, whatever another party with access to Redis put there.
 */
import { Ajv, type ErrorObject, type JSONSchemaType } from 'ajv';
import { parse } from 'yaml';
import type { TrialIdentity } from './identity.ts';

/** Version of this protocol; a job of another version is refused. */
export const PROTOCOL = 1;

/** BullMQ's key prefix and the queue's name: keys are `rxlab:trials:…`. */
export const PREFIX = 'rxlab';
export const QUEUE_NAME = 'trials';
export const JOB_NAME = 'trial';

/** How long file contents and the cancel flag stay in Redis unread. */
export const KEY_TTL_SECONDS = 24 * 60 * 60;

/** What one trial may send back through the queue (the files its run changed), by default. */
export const DEFAULT_MAX_RESULT_BYTES = 64 * 1024 * 1024;

/** A file of a trial's folder: path relative to the folder, with `/`. */
export interface FileEntry {
  path: string;
  sha256: string;
  bytes: number;
}

/** A job's data: run this trial. */
export interface TrialJob {
  protocol: number;
  sweep: string;
  trial: string;
  /** The pipeline file, relative to the checkout's root. */
  file: string;
  /** `--set` texts. */
  overrides: string[];
  identity: TrialIdentity;
  /** The trial's folder as the coordinator has it; the worker lays it out before running (so the cache can reuse it). */
  seed: FileEntry[];
}

/** A job's return value: how the trial ended and its folder afterwards. */
export interface TrialJobResult {
  protocol: number;
  status: 'completed' | 'failed' | 'interrupted' | 'not run';
  error?: string;
  durationMs: number;
  /** `host:pid` of the worker. */
  worker: string;
  /** Every file of the folder after the run; those not in the seed (same path and hash) wait under `resultKey`. */
  files: FileEntry[];
}

export const jobIdOf = (sweep: string, trial: string): string => `${sweep}-${trial}`;
/** A seed file's content, shared by the sweep's jobs. */
export const seedKey = (sweep: string, sha256: string): string => `${PREFIX}:seed:${sweep}:${sha256}`;
/** A result file's content, for one job. */
export const resultKey = (jobId: string, sha256: string): string => `${PREFIX}:result:${jobId}:${sha256}`;
/** Set while a sweep is being stopped: its workers interrupt its trials. */
export const cancelKey = (sweep: string): string => `${PREFIX}:cancel:${sweep}`;

/**
 * A path inside a trial's folder: relative, `/`-separated, no `.` or `..` segment, no
 * empty one, no backslash or control character, so it cannot leave the folder on any system.
 */
const SAFE_PATH_BODY = '(?!.*(?:^|/)\\.{1,2}(?:/|$))(?!.*//)(?!.*/$)[^/\\\\\\x00-\\x1f:][^\\\\\\x00-\\x1f:]*';
const SAFE_PATH = `^${SAFE_PATH_BODY}$`;
const PIPELINE_PATH = `^${SAFE_PATH_BODY}\\.ya?ml$`;
const SHA256 = '^[0-9a-f]{64}$';
/** `trial-001`, a sweep id: what BullMQ accepts in a job id (no `:`) and a folder name takes. */
const ID = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$';
/** A `--set` text: `stage.param.path=value`. */
const OVERRIDE = '^[A-Za-z_][\\w-]*(\\.[\\w-]+)+=';
const MAX_FILES = 10_000;

const fileEntry: JSONSchemaType<FileEntry> = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1, maxLength: 1024, pattern: SAFE_PATH },
    sha256: { type: 'string', pattern: SHA256 },
    bytes: { type: 'integer', minimum: 0 },
  },
  required: ['path', 'sha256', 'bytes'],
  additionalProperties: false,
};

const jobSchema: JSONSchemaType<TrialJob> = {
  type: 'object',
  properties: {
    protocol: { type: 'integer', const: PROTOCOL },
    sweep: { type: 'string', pattern: ID },
    trial: { type: 'string', pattern: ID },
    file: { type: 'string', minLength: 1, maxLength: 1024, pattern: PIPELINE_PATH },
    overrides: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 10_000, pattern: OVERRIDE } },
    identity: {
      type: 'object',
      properties: {
        pipeline: { type: 'string', pattern: SHA256 },
        stages: { type: 'object', maxProperties: 1000, required: [], additionalProperties: { type: 'string', pattern: SHA256 } },
        rxlab: { type: 'string', pattern: SHA256 },
      },
      required: ['pipeline', 'stages', 'rxlab'],
      additionalProperties: false,
    },
    seed: { type: 'array', maxItems: MAX_FILES, items: fileEntry },
  },
  required: ['protocol', 'sweep', 'trial', 'file', 'overrides', 'identity', 'seed'],
  additionalProperties: false,
};

const resultSchema: JSONSchemaType<TrialJobResult> = {
  type: 'object',
  properties: {
    protocol: { type: 'integer', const: PROTOCOL },
    status: { type: 'string', enum: ['completed', 'failed', 'interrupted', 'not run'] },
    error: { type: 'string', nullable: true, maxLength: 100_000 },
    durationMs: { type: 'number', minimum: 0 },
    worker: { type: 'string', maxLength: 300 },
    files: { type: 'array', maxItems: MAX_FILES, items: fileEntry },
  },
  required: ['protocol', 'status', 'durationMs', 'worker', 'files'],
  additionalProperties: false,
};

const ajv = new Ajv({ allErrors: true });
const validateJob = ajv.compile(jobSchema);
const validateResult = ajv.compile(resultSchema);

/** What each pattern asks for, in words: a failed pattern is reported so, not as a regular expression. */
const PATTERN_MEANS: Record<string, string> = {
  [SAFE_PATH]: 'must be a path inside the folder (relative, with no "." or ".." part)',
  [PIPELINE_PATH]: "must be a .yaml file's path inside the checkout (relative, with no \".\" or \"..\" part)",
  [SHA256]: 'must be a sha256 (64 hex digits)',
  [ID]: 'must be an id of letters, digits, "_", "." and "-"',
  [OVERRIDE]: 'must be a --set text, stage.param=value',
};

const describe = (errors: ErrorObject[] | null | undefined): string =>
  (errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(the payload)'} ${(e.keyword === 'pattern' && PATTERN_MEANS[e.params.pattern as string]) || e.message || 'is invalid'}`)
    .join('; ');

/** Why `data` is not a job this protocol describes, or undefined when it is one. */
export function jobProblem(data: unknown): string | undefined {
  if (validateJob(data)) return duplicatePath(data.seed);
  return describe(validateJob.errors);
}

/** Why `value` is not a result this protocol describes, or undefined when it is one. */
export function resultProblem(value: unknown): string | undefined {
  if (validateResult(value)) return duplicatePath(value.files);
  return describe(validateResult.errors);
}

/** Two entries for one path, or a path that is also a folder of another, cannot both be written. */
function duplicatePath(files: FileEntry[]): string | undefined {
  const paths = new Set(files.map((f) => f.path));
  if (paths.size !== files.length) return 'a file is listed twice';
  for (const path of paths) {
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
      if (paths.has(path.slice(0, i))) return `${path.slice(0, i)} is listed both as a file and as a folder`;
    }
  }
  return undefined;
}

/**
 * Why a `--set` text may not travel through the queue, or undefined. Its value may not
 * hold a path (a string with `/` or `\`, or starting with `.` or `~`): a stage that
 * reads a file named by a param (`dataset.path`) would otherwise read, and send back,
 * whatever file of a worker's machine a job named. Plain names, relative to the
 * pipeline file's folder, stay allowed.
 */
export function overrideProblem(text: string): string | undefined {
  const eq = text.indexOf('=');
  let value: unknown;
  try {
    value = parse(text.slice(eq + 1), { maxAliasCount: 0 });
  } catch {
    return undefined; // not YAML: the loader reports it, in the words `rxlab run --set` uses
  }
  const strings: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') strings.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.entries(v).forEach(([k, x]) => (walk(k), walk(x)));
  };
  walk(value);
  const path = strings.find((s) => /[/\\]/.test(s) || /^[.~]/.test(s));
  return path === undefined ? undefined : `--set ${text}: ${JSON.stringify(path)} looks like a path; a trial sent through the queue may name files only by a plain name, relative to the pipeline's folder`;
}

/**
 * A pipeline's runs as the `exp` commands read them: its history, found from the pipeline
 * file, and a run named on the command line — by id (or a prefix of one), by name (the
 * latest run of that name), or by a sweep trial's id (`trial-003`, the latest such trial;
 * `<sweep folder>/trial-003` for another sweep's).
 */
import { basename } from 'node:path';
import type { StageResolver } from '../contract/resolve.ts';
import { EnvironmentError, loadAndPlan, type Plan } from '../engine/index.ts';
import { shown } from '../util/paths.ts';
import { didYouMean } from '../util/suggest.ts';
import { readRecords, type RunRecord } from './history.ts';
import { historyDirOf } from './record.ts';

/** A run the command line names that is not in the history, or names ambiguously: exit 2, like other bad input. */
export class RunNotFoundError extends EnvironmentError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'RunNotFoundError';
  }
}

export interface History {
  plan: Plan;
  dir: string;
  /** Oldest first. */
  records: RunRecord[];
  /** Files in the folder that are not readable records, with why (shown as warnings). */
  skipped: { file: string; reason: string }[];
}

/** Loads `file` (its mistakes are reported as for `rxlab run`) and reads its history. */
export async function openHistory(file: string, resolve: StageResolver): Promise<History> {
  const plan = await loadAndPlan(file, { resolve });
  const dir = historyDirOf(plan);
  return { plan, dir, ...readRecords(dir) };
}

/** The latest of `records` that `test` picks. */
const latest = (records: RunRecord[], test: (r: RunRecord) => boolean): RunRecord | undefined => records.filter(test).at(-1);

/** The run `ref` names: an id or a prefix of one (4 hex digits or more), a run name, or a trial id. */
export function findRun(history: History, ref: string): RunRecord {
  const { records } = history;
  const exact = records.find((r) => r.id === ref);
  if (exact) return exact;
  if (/^[0-9a-f]{4,}$/.test(ref)) {
    const matches = records.filter((r) => r.id.startsWith(ref));
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new RunNotFoundError(`"${ref}" starts the ids of ${matches.length} runs (${matches.map((r) => `${r.id} ${r.name}`).join(', ')}); give more of the id`);
  }
  const named = latest(records, (r) => r.name === ref);
  if (named) return named;
  const [sweep, trial] = ref.includes('/') ? [ref.slice(0, ref.lastIndexOf('/')), ref.slice(ref.lastIndexOf('/') + 1)] : [undefined, ref];
  const ofTrial = latest(records, (r) => r.sweep?.trial === trial && (sweep === undefined || basename(r.sweep.dir) === sweep || r.sweep.dir === sweep));
  if (ofTrial) return ofTrial;
  const names = [...new Set(records.map((r) => r.name))];
  if (records.length === 0) throw new RunNotFoundError(`no run "${ref}": ${history.plan.pipeline.name} has no runs on record yet (${shown(history.dir)}); run it first`);
  const some = names.slice(-5).join(', ');
  throw new RunNotFoundError(
    `no run "${ref}" in the history of ${history.plan.pipeline.name}${didYouMean(ref, [...names, ...records.map((r) => r.id)])}; give a run's id or name (recent names: ${some}), as \`rxlab exp show\` lists them`,
  );
}

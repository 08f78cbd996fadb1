/**
 * Reports of recorded runs (src/report draws them): a run's `report.html` beside its
 * artifacts, written as the run ends and rebuilt from its record by `rxlab report`, and a
 * page that sets runs side by side.
 *
 * A report shows what the record says (status, params, metrics, stages, git) and what the
 * run's folder still holds of what the run made: each chart (`*.vg.json`) and loss history
 * (`history.json`) is read back only when its bytes are the ones the record hashed. A
 * folder that a later run has written over (the base run's, say) gives the older run's
 * report no charts rather than the newer run's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spec } from 'vega';
import { writeAtomic } from '../engine/index.ts';
import { renderCompareReport, renderRunReport, type ChartRecord, type CheckRecord, type LossHistory, type RunRecord as ReportRun } from '../report/index.ts';
import { sha256 } from '../util/canonical.ts';
import type { RunRecord } from './history.ts';

/** The name of a run's report, in its folder. */
export const REPORT_FILE = 'report.html';

/** The text of `artifact` (`stage/name`) in the run's folder, if it is still the one the record hashed. */
function recordedArtifact(record: RunRecord, artifact: string): string | undefined {
  if (!record.outDir || !record.artifacts[artifact]) return undefined;
  let text: string;
  try {
    text = readFileSync(join(record.outDir, artifact), 'utf8');
  } catch {
    return undefined;
  }
  return sha256(text) === record.artifacts[artifact] ? text : undefined;
}

const titleOf = (spec: Spec): string => {
  const title = spec.title;
  if (typeof title === 'string') return title;
  const text = title && typeof title === 'object' && 'text' in title ? title.text : undefined;
  return Array.isArray(text) ? text.join(' ') : typeof text === 'string' ? text : '';
};

/**
 * What the report of `record` is made from. `read` gives an artifact's text (`stage/name`)
 * when it is the one the run made: by default from the run's folder, checked against the
 * record's hash.
 */
export function reportRun(record: RunRecord, read: (artifact: string) => string | undefined = (a) => recordedArtifact(record, a), check?: CheckRecord): ReportRun {
  const charts: ChartRecord[] = [];
  const losses: Record<string, LossHistory> = {};
  for (const artifact of Object.keys(record.artifacts)) {
    const [stage, name] = [artifact.slice(0, artifact.indexOf('/')), artifact.slice(artifact.indexOf('/') + 1)];
    if (name.endsWith('.vg.json')) {
      const text = read(artifact);
      if (text !== undefined) {
        const spec = JSON.parse(text) as Spec;
        charts.push({ stage, title: titleOf(spec), spec });
      }
    } else if (name === 'history.json') {
      const text = read(artifact);
      const history = text === undefined ? undefined : (JSON.parse(text) as { loss?: number[]; val_loss?: number[] });
      if (Array.isArray(history?.loss)) losses[stage] = { train: history.loss, ...(history.val_loss ? { validation: history.val_loss } : {}) };
    }
  }
  return {
    name: record.name,
    pipeline: { name: record.pipeline.name, file: record.pipeline.file },
    // A run still going has no report yet; one whose process vanished reads as interrupted.
    status: record.status === 'running' ? 'interrupted' : record.status,
    ...(record.error ? { error: record.error } : {}),
    startedAt: record.startedAt,
    durationMs: record.durationMs ?? 0,
    ...(record.git ? { git: record.git } : {}),
    params: record.params,
    overrides: record.overrides,
    metrics: record.metrics,
    metricDirections: record.directions,
    stages: record.stages,
    charts,
    ...(Object.keys(losses).length > 0 ? { losses } : {}),
    ...(check ? { check } : {}),
  };
}

/** Whether a check keeps `name`'s text for its report: charts and loss histories, read as the run writes them. */
export const reportReads = (name: string): boolean => name.endsWith('.vg.json') || name === 'history.json';

/** The report of a check: its run's charts as `artifacts` kept them (its folder is gone), and the comparison with the lock. */
export async function writeCheckReport(record: RunRecord, artifacts: ReadonlyMap<string, string>, check: CheckRecord, file: string): Promise<void> {
  await writeAtomic(file, renderRunReport(reportRun(record, (a) => artifacts.get(a), check)));
}

/** Writes `report.html` into the run's folder (none for a check: its folder is gone); returns where. */
export async function writeRunReport(record: RunRecord): Promise<string | undefined> {
  if (!record.outDir) return undefined;
  const file = join(record.outDir, REPORT_FILE);
  await writeAtomic(file, renderRunReport(reportRun(record)));
  return file;
}

/** Writes a page setting `records` side by side (the first the baseline) to `file`. */
export async function writeCompareReport(records: RunRecord[], file: string): Promise<void> {
  await writeAtomic(file, renderCompareReport(records.map((r) => reportRun(r))));
}

/**
 * A run as the live view shows it (src/report/live-events.ts): `run-start` with its stages
 * once it is planned, then every event the engine emits, as it emits it, then `finished`,
 * or `failed` naming the stage that failed.
 */
import type { EngineEvent, PipelineRun, Plan, Target } from '../engine/index.ts';

export interface LiveFeed {
  /** For runPipeline's `onStart`. */
  start(plan: Plan, target: Target): void;
  /** For runPipeline's `onEvent`. */
  event(event: EngineEvent): void;
  /** How the run ended; an error when it could not go on at all. */
  end(outcome: PipelineRun | Error): void;
}

export function liveFeed(publish: (event: object) => void): LiveFeed {
  return {
    start: (plan, target) =>
      publish({
        type: 'run-start',
        pipeline: { name: plan.pipeline.name, file: plan.pipeline.file },
        name: target.name,
        stages: plan.nodes.map((n) => ({ id: n.spec.id, uses: n.spec.uses })),
      }),
    event: publish,
    end(outcome) {
      if (outcome instanceof Error) return publish({ type: 'failed', error: outcome.message });
      const { status, error, durationMs, stages } = outcome.manifest;
      if (status === 'failed') {
        const stage = Object.entries(stages).find(([, s]) => s.status === 'failed')?.[0];
        return publish({ type: 'failed', error: error ?? 'the run failed', ...(stage ? { stage } : {}) });
      }
      publish({ type: 'finished', status, durationMs });
    },
  };
}

/**
 * How a run looks while it runs: a live stage list with progress bars on a TTY
 * (cli-progress), plain lines otherwise, or one JSON object per line with --json.
 */
import type { EngineEvent } from '../engine/index.ts';

export interface Display {
  event(event: EngineEvent): void;
  /** A line that is not an engine event (the run's summary, an error). */
  line(text: string): void;
  close(): void;
}

/** Every engine event as one JSON line; summary lines become `{"type":"log"}` events. */
export function jsonDisplay(write: (text: string) => void): Display {
  return {
    event: (event) => write(`${JSON.stringify(event)}\n`),
    line: (text) => write(`${JSON.stringify({ type: 'log', text })}\n`),
    close: () => undefined,
  };
}

const describeState = (state: Record<string, unknown> | undefined): string =>
  state ? Object.entries(state).filter(([k]) => k !== 'epoch' && k !== 'elapsedMs').map(([k, v]) => `${k} ${typeof v === 'number' ? v.toPrecision(6) : String(v)}`).join(', ') : '';

/** Plain lines for logs and CI: progress at most every 10% of a stage. */
export function plainDisplay(write: (text: string) => void): Display {
  const lastDecile = new Map<string, number>();
  const line = (text: string): void => write(`${text}\n`);
  return {
    line,
    close: () => undefined,
    event(event) {
      switch (event.type) {
        case 'environment':
          line(`environment: ${Object.entries(event.facts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
          break;
        case 'stage-start':
          line(`${event.stage}: started${event.reason ? ` (${event.reason})` : ''}`);
          break;
        case 'stage-cached':
          line(`${event.stage}: cached`);
          break;
        case 'progress': {
          const decile = Math.floor((10 * event.current) / Math.max(1, event.total));
          if (decile === lastDecile.get(event.stage)) break;
          lastDecile.set(event.stage, decile);
          const state = describeState(event.state);
          line(`${event.stage}: ${event.current}/${event.total}${state ? ` ${state}` : ''}`);
          break;
        }
        case 'artifact':
          line(`${event.stage}: wrote ${event.name} (${event.bytes} bytes, sha256 ${event.sha256.slice(0, 12)})`);
          break;
        case 'message':
          line(`${event.stage}: ${event.text}`);
          break;
        case 'stage-done':
          line(`${event.stage}: done in ${event.durationMs.toFixed(0)} ms`);
          break;
        case 'output':
          break;
      }
    },
  };
}

/** A bar per stage, in run order, updated in place. */
export async function ttyDisplay(stageIds: string[], stream: NodeJS.WriteStream): Promise<Display> {
  // Loaded here: cli-progress takes tens of milliseconds to load, which a run into a pipe or a log never needs.
  const { default: cliProgress } = await import('cli-progress');
  const width = Math.max(...stageIds.map((s) => s.length));
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: (options, params, payload: { stage: string; status: string }) => {
        const bar = cliProgress.Format.BarFormat(params.progress, options);
        return `${payload.stage.padEnd(width)} ${bar} ${payload.status}`;
      },
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      fps: 12,
    },
    cliProgress.Presets.shades_grey,
  );
  const bar = new Map(stageIds.map((id) => [id, bars.create(1, 0, { stage: id, status: 'waiting' })]));
  return {
    line: (text) => bars.log(`${text}\n`),
    close: () => bars.stop(),
    event(event) {
      if (event.type === 'environment') {
        bars.log(`environment: ${Object.entries(event.facts).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
        return;
      }
      if (!('stage' in event)) return;
      const b = bar.get(event.stage)!;
      if (event.type === 'stage-start') b.update(0, { status: event.reason ? `running (${event.reason})` : 'running' });
      if (event.type === 'stage-cached') b.update(1, { status: 'cached' });
      if (event.type === 'progress') {
        b.setTotal(event.total);
        b.update(event.current, { status: `${event.current}/${event.total} ${describeState(event.state)}` });
      }
      if (event.type === 'message') bars.log(`${event.stage}: ${event.text}\n`);
      if (event.type === 'stage-done') {
        b.setTotal(1);
        b.update(1, { status: `done in ${event.durationMs.toFixed(0)} ms` });
      }
    },
  };
}

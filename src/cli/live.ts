/** `--serve [PORT]`: the live view's server (src/report), started before anything runs. */
import { basename } from 'node:path';
import { EnvironmentError } from '../engine/index.ts';
import { startLiveView, type LiveView } from '../report/index.ts';

/** Starts the live view of `file` on `port` (0: any free one), on 127.0.0.1; a port that cannot be had is bad input (exit 2). */
export async function openLiveView(file: string, port: number): Promise<LiveView> {
  try {
    return await startLiveView({ port, title: basename(file) });
  } catch (err) {
    throw new EnvironmentError(`${(err as Error).message}; give another port with --serve PORT, or --serve alone for any free one; nothing was run`, 2);
  }
}

/**
 * How long the server stays up after the run ends: a page whose stream ended reconnects once
 * (the stream's retry is 1 s) and is told that the run is over (HTTP 204), rather than finding
 * no server and reporting a failed request.
 */
const LINGER_MS = 1500;

/** Lets open pages learn that the run ended, then stops the server. */
export async function closeLiveView(view: LiveView | undefined): Promise<void> {
  if (!view) return;
  await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
  await view.close();
}

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

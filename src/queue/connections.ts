/**
 * Letting go of Redis when it is not there. BullMQ's `close()` and `disconnect()` wait
 * for the server (to send QUIT, or for a socket that is already gone to report its end),
 * so with Redis unreachable they never return. Here the close is started without being
 * waited for (that stops BullMQ's own loops) and the sockets are dropped underneath.
 */
import type { QueueBase, RedisQueueBackend } from 'bullmq';

/** Closes `objects` without waiting for Redis, dropping their connections. */
export function dropConnections(objects: readonly (QueueBase<RedisQueueBackend> | undefined)[]): void {
  for (const object of objects) {
    if (!object) continue;
    object.close().catch(() => undefined);
    const backend = object.getBackend();
    for (const client of [backend.client, backend.blockingClient]) client?.then((c) => c.disconnect()).catch(() => undefined);
  }
}

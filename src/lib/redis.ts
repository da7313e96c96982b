// The Redis client (ioredis) for shared counters. Commands fail fast while disconnected (no offline queue),
// so callers can fall back instead of waiting; the client keeps reconnecting in the background.
import { Redis } from 'ioredis';

export type RedisHandle = { client: Redis; ping(): Promise<void>; close(): Promise<void> };

export function createRedis(url: string, log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void }): RedisHandle {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  });
  let down = false;
  client.on('error', (err) => {
    if (!down) log.warn({ err: err.message }, 'redis unavailable: rate limits fall back to this instance only');
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info({}, 'redis is back: rate limits are shared again');
    down = false;
  });
  return {
    client,
    ping: async () => {
      if (client.status !== 'ready') throw new Error(`redis ${client.status}`);
      await client.ping();
    },
    close: async () => {
      client.disconnect();
    },
  };
}

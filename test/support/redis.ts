// Real Redis for integration tests: a probe (skip/fail pattern of ./services.ts), a unique key prefix per
// test, the cleanup of that prefix's keys, and a TCP proxy that can "lose" Redis in the middle of a test.
import net from 'node:net';
import { nanoid } from 'nanoid';
import { Redis } from 'ioredis';
import type { Probe } from './services.js';

export const REDIS_TEST_URL = process.env.PICORA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function client(url = REDIS_TEST_URL): Redis {
  return new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
}

/** Whether Redis answers PING (2 s at most). */
export async function probeRedis(url = REDIS_TEST_URL): Promise<Probe<string>> {
  const c = client(url);
  let cause = '';
  c.on('error', (err: Error) => void (cause = err.message));
  try {
    await c.connect();
    const pong = await c.ping();
    if (pong !== 'PONG') return { ok: false, reason: `${url}: PING answered ${pong}` };
    return { ok: true, value: url };
  } catch (err) {
    return { ok: false, reason: `${url}: ${cause || (err as Error).message}` };
  } finally {
    c.disconnect();
  }
}

/** A key prefix no other test uses (PICORA_REDIS_PREFIX accepts `[A-Za-z0-9:_-]{1,64}`). */
export const uniqueRedisPrefix = (label = 't'): string => `picora-test:${label}:${nanoid(10).replace(/[^A-Za-z0-9_-]/g, 'x')}`;

/** Deletes every key under `prefix:`; returns how many there were. */
export async function cleanRedisPrefix(prefix: string, url = REDIS_TEST_URL): Promise<number> {
  const c = client(url);
  c.on('error', () => undefined);
  let removed = 0;
  try {
    await c.connect();
    let cursor = '0';
    do {
      const [next, keys] = await c.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) removed += await c.del(...keys);
    } while (cursor !== '0');
  } finally {
    c.disconnect();
  }
  return removed;
}

/** The keys under `prefix:` (to show that counters really live in Redis). */
export async function redisKeys(prefix: string, url = REDIS_TEST_URL): Promise<string[]> {
  const c = client(url);
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await c.keys(`${prefix}:*`);
  } finally {
    c.disconnect();
  }
}

export type TcpProxy = { url: string; cut(): Promise<void>; close(): Promise<void> };

/** A loopback proxy to Redis; `cut()` drops every connection and stops listening (Redis "goes away"). */
export async function startRedisProxy(target = REDIS_TEST_URL): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(port || 6379), hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  let closed = false;
  const cut = async () => {
    if (closed) return;
    closed = true;
    const done = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await done;
  };
  return { url: `redis://127.0.0.1:${address.port}`, cut, close: cut };
}

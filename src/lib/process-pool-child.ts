// The child side of process-pool.ts: answers each task with its handler, one at a time as the parent sends
// them, and ends as soon as the parent is gone.
import { Worker } from 'node:worker_threads';
import type { TaskError } from './process-pool.js';

/** The child side: answers each task with its handler; ends when the parent goes away. */
export function serveProcessTasks(handlers: Record<string, (payload: never) => Promise<unknown> | unknown>): void {
  // the parent is gone (even by kill -9): end at once; a plain exit could wait on a native task's thread
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  // ... and when this thread is busy in synchronous work (WebAssembly, a DOM walk) it cannot see the
  // disconnect: a small watchdog thread notices the parent is gone (we get re-parented) and ends the process
  const parent = process.ppid;
  new Worker(
    `const { workerData } = require('node:worker_threads');
     setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 500);`,
    { eval: true, workerData: parent },
  ).unref();
  process.on('message', (msg: { id: number; op: string; payload: unknown }) => {
    void (async () => {
      const handler = handlers[msg.op];
      try {
        if (!handler) throw new Error(`unknown task "${msg.op}"`);
        const result = await handler(msg.payload as never);
        process.send?.({ id: msg.id, ok: true, result, rss: process.memoryUsage.rss() });
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        const kind = (e as { kind?: unknown }).kind;
        const error: TaskError = { name: e.name, message: e.message, kind: typeof kind === 'string' ? kind : undefined };
        process.send?.({ id: msg.id, ok: false, error, rss: process.memoryUsage.rss() });
      }
    })();
  });
  process.send?.({ ready: true });
}

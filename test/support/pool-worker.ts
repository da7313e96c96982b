// A worker for the process-pool tests: answers, throws, spins, or dies on request.
import { serveProcessTasks } from '../../src/lib/process-pool-child.js';

class KindError extends Error {
  override name = 'MediaError';
  constructor(readonly kind: string, message: string) {
    super(message);
  }
}

serveProcessTasks({
  echo: (p: { value: unknown }) => ({ value: p.value, pid: process.pid }),
  bytes: (p: { data: Buffer }) => ({ isBuffer: Buffer.isBuffer(p.data), reversed: Buffer.from(p.data).reverse() }),
  fail: (p: { kind: string }) => {
    throw new KindError(p.kind, `failed with ${p.kind}`);
  },
  spin: () => {
    for (;;) {
      // a busy loop nothing inside the process can interrupt
    }
  },
  die: () => process.exit(3),
  /** Blocks this thread for `ms` (synchronous work nothing inside the thread can interrupt). */
  block: (p: { ms: number }) => {
    const until = Date.now() + p.ms;
    while (Date.now() < until) {
      // busy
    }
    return { pid: process.pid };
  },
});

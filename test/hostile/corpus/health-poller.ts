// Polls GET /health from a worker thread while a group of hostile inputs runs: the server's event loop must
// keep answering within the budget whatever the inputs do. The poller has its own event loop, so work in the
// test's main thread (parsing answers, building inputs) cannot make the server look slow.
import { Worker } from 'node:worker_threads';

export type HealthSample = { at: number; ms: number; status: number | string };

export type HealthReport = { samples: HealthSample[]; maxMs: number; slow: HealthSample[] };

// One request at a time, a short pause between them; each sample is wall time from send to the last body byte.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const samples = [];
let stopping = false;
parentPort.on('message', () => { stopping = true; });
(async () => {
  // one untimed request first: the worker's own start-up (undici, the connection) is not the server's latency
  try { await (await fetch(workerData.url, { signal: AbortSignal.timeout(workerData.giveUpMs) })).arrayBuffer(); } catch {}
  parentPort.postMessage('ready');
  while (!stopping) {
    const at = Date.now();
    const t0 = performance.now();
    let status;
    try {
      const res = await fetch(workerData.url, { signal: AbortSignal.timeout(workerData.giveUpMs) });
      await res.arrayBuffer();
      status = res.status;
    } catch (err) {
      status = String(err && err.name || err);
    }
    samples.push({ at, ms: performance.now() - t0, status });
    await new Promise((r) => setTimeout(r, workerData.everyMs));
  }
  parentPort.postMessage(samples);
})();
`;

export type HealthPoller = { stop(): Promise<HealthReport> };

/** Resolves once the poller has made its warm-up request and is measuring. */
export async function startHealthPoller(url: string, opts: { everyMs?: number; budgetMs: number; giveUpMs?: number }): Promise<HealthPoller> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { url, everyMs: opts.everyMs ?? 10, giveUpMs: opts.giveUpMs ?? 15_000 },
  });
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const result = new Promise<HealthSample[]>((resolve, reject) => {
    worker.on('message', (m: 'ready' | HealthSample[]) => (m === 'ready' ? ready() : resolve(m)));
    worker.once('error', reject);
  });
  await Promise.race([isReady, result]);
  return {
    async stop() {
      worker.postMessage('stop');
      const samples = await result;
      await worker.terminate();
      const maxMs = samples.reduce((m, s) => Math.max(m, s.ms), 0);
      return { samples, maxMs, slow: samples.filter((s) => s.ms > opts.budgetMs || s.status !== 200) };
    },
  };
}

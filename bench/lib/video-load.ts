// The steady library load of the video benchmark: GET /v1/images?limit=20 from `clients` clients, each on its
// own keep-alive connection, at a fixed total rate (open loop: client i sends at t0 + (i + k·clients)/rate).
// A client whose previous request has not come back sends late; latency is reported both from the moment
// the request was due (what a user waiting on a schedule sees, without coordinated omission) and from the
// moment it was written.
import http from 'node:http';
import { percentile } from './report.js';
import { createImageFactory } from './soak-images.js';
import { multipartEnvelope, postUpload } from './upload-client.js';

export type LoadSample = { dueMs: number; sentMs: number; doneMs: number; status: number; items: number };

export type LoadSummary = {
  requests: number;
  seconds: number;
  perSecond: number;
  errors: number;
  /** Requests written more than 10 ms after they were due (the client was still waiting for the previous one). */
  late: number;
  fromDue: { p50: number; p90: number; p99: number; max: number };
  fromSent: { p50: number; p90: number; p99: number; max: number };
};

/** Uploads `count` distinct small images (the soak's generator: JPEG/WebP/PNG, 240–1600 px) to the account. */
export async function uploadImages(baseUrl: string, token: string, count: number): Promise<void> {
  const factory = await createImageFactory();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < count; i++) {
      const img = await factory.next();
      const res = await postUpload({ url: `${baseUrl}/v1/images`, token, agent, envelope: multipartEnvelope(img.name, img.type), data: img.data, timeoutMs: 60_000 });
      if (res.status !== 201) throw new Error(`image upload ${i}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
  } finally {
    agent.destroy();
  }
}

function getList(url: string, token: string, agent: http.Agent): Promise<{ status: number; items: number }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, headers: { authorization: `Bearer ${token}` }, timeout: 30_000 }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.once('end', () => {
        let items = -1;
        try {
          items = (JSON.parse(Buffer.concat(parts).toString('utf8')) as { data?: { items?: unknown[] } }).data?.items?.length ?? -1;
        } catch {
          // not JSON: counted as an error below
        }
        resolve({ status: res.statusCode ?? 0, items });
      });
      res.once('error', () => resolve({ status: 0, items: -1 }));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve({ status: 0, items: -1 }));
  });
}

export type ListLoad = { stop(): Promise<LoadSample[]> };

/** Starts the load; stop() ends it (requests in flight are awaited) and returns every sample. */
export function startListLoad(opts: { baseUrl: string; token: string; rate: number; clients: number; limit: number }): ListLoad {
  const url = `${opts.baseUrl}/v1/images?limit=${opts.limit}`;
  const samples: LoadSample[] = [];
  const t0 = performance.now() + 20;
  let stopping = false;
  const loops = Array.from({ length: opts.clients }, async (_, i) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let k = 0; !stopping; k++) {
        const dueMs = t0 + ((i + k * opts.clients) * 1000) / opts.rate;
        const wait = dueMs - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (stopping) break;
        const sentMs = performance.now();
        const res = await getList(url, opts.token, agent);
        samples.push({ dueMs, sentMs, doneMs: performance.now(), status: res.status, items: res.items });
      }
    } finally {
      agent.destroy();
    }
  });
  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
      return samples.sort((a, b) => a.dueMs - b.dueMs);
    },
  };
}

/** Percentiles and errors of `samples`; an error is any answer but a 200 with `expectItems` items. */
export function summarise(samples: LoadSample[], expectItems: number): LoadSummary {
  const fromDue = samples.map((s) => s.doneMs - s.dueMs).sort((a, b) => a - b);
  const fromSent = samples.map((s) => s.doneMs - s.sentMs).sort((a, b) => a - b);
  const seconds = samples.length ? (samples.at(-1)!.doneMs - samples[0]!.dueMs) / 1000 : 0;
  const pct = (xs: number[]) => ({ p50: percentile(xs, 50), p90: percentile(xs, 90), p99: percentile(xs, 99), max: xs.at(-1) ?? Number.NaN });
  return {
    requests: samples.length,
    seconds,
    perSecond: seconds > 0 ? samples.length / seconds : 0,
    errors: samples.filter((s) => s.status !== 200 || s.items !== expectItems).length,
    late: samples.filter((s) => s.sentMs - s.dueMs > 10).length,
    fromDue: pct(fromDue),
    fromSent: pct(fromSent),
  };
}

// The Picora side of the media benchmarks: a built server on a throwaway data folder (lib/server.ts) whose
// account may serve without limit (img_bandwidth_bytes raised: the media host refuses past the monthly
// bandwidth), with the per-IP render limit lifted (PICORA_RENDERS_PER_IP_PER_MIN: every benchmark request
// comes from 127.0.0.1) and the photos uploaded, plus a reader for its Prometheus counters.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Photo } from './photos.js';
import { benchAccount, login, prepareDataDir, removeDataDir, startServer, type BenchServer } from './server.js';
import { multipartEnvelope, postUpload } from './upload-client.js';

export type MediaImage = { id: string; ext: string; photo: Photo };
export type MediaServer = {
  server: BenchServer;
  images: MediaImage[];
  env: Record<string, string>;
  /** The sum of a counter's samples in GET /metrics whose labels contain `labels` (e.g. 'tier="memory"'). */
  metric(name: string, labels?: string): Promise<number>;
  /** Stops the server (SIGINT: a --cpu-prof profile is written) and removes its data folder. */
  close(): Promise<{ code: number | null; signal: NodeJS.Signals | null; crashed: boolean }>;
};

/** Server settings of the media benchmarks; BENCH_RENDER_CONCURRENCY sets PICORA_RENDER_CONCURRENCY (default: cores). */
export function mediaServerEnv(): Record<string, string> {
  // /metrics may be protected by a token (PICORA_METRICS_TOKEN); the benchmark sets one and sends it
  const env: Record<string, string> = { PICORA_RENDERS_PER_IP_PER_MIN: '100000000', PICORA_METRICS_TOKEN: `bench-${randomBytes(16).toString('hex')}` };
  if (process.env.BENCH_RENDER_CONCURRENCY) env.PICORA_RENDER_CONCURRENCY = process.env.BENCH_RENDER_CONCURRENCY;
  return env;
}

export async function startMediaServer(photos: Photo[], opts: { nodeArgs?: string[] } = {}): Promise<MediaServer> {
  const dataDir = await prepareDataDir({
    account: benchAccount,
    overrides: { img_bandwidth_bytes: 2 ** 50, img_storage_bytes: 2 ** 40, uploads_per_day: 1_000_000 },
  });
  const env = mediaServerEnv();
  let server: BenchServer;
  try {
    server = await startServer(dataDir, { nodeArgs: opts.nodeArgs, env });
  } catch (err) {
    await removeDataDir(dataDir);
    throw err;
  }
  const close = async () => {
    const crashed = server.exitInfo() !== undefined;
    const exit = await server.stop();
    if (crashed || exit.code !== 0) console.log(`  server ${crashed ? 'EXITED BY ITSELF' : `exit ${JSON.stringify(exit)}`}; log kept in ${await server.keepLog('media')}\n${server.logTail(30).replace(/^/gm, '    ')}`);
    await removeDataDir(dataDir);
    return { ...exit, crashed };
  };
  try {
    const token = await login(server, benchAccount);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const images: MediaImage[] = [];
    for (const photo of photos) {
      const res = await postUpload({
        url: `${server.baseUrl}/v1/images`, token, agent, envelope: multipartEnvelope(path.basename(photo.file), 'image/jpeg'),
        data: await readFile(photo.file), timeoutMs: 60_000,
      });
      const data = (res.body as { data?: { id?: string; url?: string } }).data;
      if (res.status !== 201 || !data?.id || !data.url) throw new Error(`upload of ${photo.name} failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      images.push({ id: data.id, ext: path.extname(new URL(data.url).pathname).slice(1), photo });
    }
    agent.destroy();
    const metric = async (name: string, labels = ''): Promise<number> => {
      const text = await readMetrics(server.baseUrl, env);
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
        if (labels && !line.includes(labels)) continue;
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    };
    return { server, images, env, metric, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function readMetrics(baseUrl: string, env: Record<string, string>): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${env.PICORA_METRICS_TOKEN}` }, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /metrics: ${res.status} ${text.slice(0, 200)}`);
  return text;
}

/** Answers by status class in the server's own request counter, for the media route (catches 5xx wrk only counts). */
export async function statusCounts(ms: MediaServer): Promise<Record<string, number>> {
  const text = await readMetrics(ms.server.baseUrl, ms.env);
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^picora_http_requests_total\{([^}]*)\} (\d+)/gm)) {
    if (!m[1]!.includes('route="/:file"')) continue;
    const status = /status="(\d)/.exec(m[1]!)?.[1] ?? '?';
    out[`${status}xx`] = (out[`${status}xx`] ?? 0) + Number(m[2]);
  }
  return out;
}

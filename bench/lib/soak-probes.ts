// What the soak benchmark reads from the server besides its traffic: the API keys it makes at the start,
// /metrics (counters and the JS heap), the memory of the server process and of its children (/proc), and
// at the end the usage counters against the library paged through.
import { descendantsOf, readRss } from './proc.js';
import type { MemorySample, QuotaCheck } from './soak-report.js';
import { jsonOf, type HttpClient } from './soak-http.js';
import type { Credentials, SoakContext } from './soak-requests.js';

/** GET /metrics with the token the server was started with; undefined when it does not answer 200. */
export async function metricsText(http: HttpClient, token: string): Promise<string | undefined> {
  const a = await http.send({ method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${token}` } });
  return a.status === 200 ? a.body.toString('utf8') : undefined;
}

/** Sum of a metric's samples whose labels match `labels` (a regex over the label text); 0 when it has none yet. */
export function metricSum(text: string | undefined, name: string, labels?: RegExp): number | undefined {
  if (!text) return undefined;
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? ([0-9.e+-]+)$`, 'gm'))) {
    if (labels && !labels.test(m[1] ?? '')) continue;
    sum += Number(m[2]);
  }
  return sum;
}

export async function createKeys(http: HttpClient, jwt: string): Promise<Credentials> {
  const key = async (name: string, scopes: string[]) => {
    const a = await http.send({
      method: 'POST', path: '/v1/api-keys', headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }, body: JSON.stringify({ name, scopes }),
    });
    const k = jsonOf<{ data?: { key?: string } }>(a)?.data?.key;
    if (a.status !== 201 || !k) throw new Error(`creating API key ${name}: ${a.status} ${a.body.toString('utf8').slice(0, 300)}`);
    return k;
  };
  return {
    jwt,
    apiKey: await key('soak', ['media.read', 'media.write', 'media.delete', 'usage.read', 'account.read']),
    readOnlyKey: await key('soak-read-only', ['media.read']),
  };
}

/** One memory sample of the server `pid` and its child processes; its JS heap figures arrive a little later. */
export function sampleMemory(pid: number, ctx: SoakContext, t0: number, metrics: () => Promise<string | undefined>): MemorySample | undefined {
  const rss = readRss(pid);
  if (rss === undefined) return undefined;
  const children = descendantsOf(pid);
  const sample: MemorySample = {
    atS: (performance.now() - t0) / 1000, rssBytes: rss, childrenRssBytes: children.reduce((s, pid) => s + (readRss(pid) ?? 0), 0), children: children.length,
    requests: ctx.tally.requests, errors: ctx.tally.errors,
  };
  // the heap figures come a little later; the sample is already in the list
  void metrics().then((text) => {
    // prom-client's default metrics, under the server's prefix
    sample.heapUsedBytes = metricSum(text, 'picora_process_nodejs_heap_size_used_bytes');
    sample.externalBytes = metricSum(text, 'picora_process_nodejs_external_memory_bytes');
  }, () => undefined);
  return sample;
}

/** Every page of the library, limit 100, by cursor. */
async function listAll(http: HttpClient, auth: string): Promise<{ total: number; count: number; bytes: number }> {
  let cursor: string | undefined;
  let count = 0;
  let bytes = 0;
  let total = -1;
  for (let page = 0; page < 10_000; page++) {
    const a = await http.send({ method: 'GET', path: `/v1/images?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, headers: { authorization: auth } });
    const d = jsonOf<{ data?: { items: Array<{ sizeBytes: number }>; nextCursor: string | null; total: number } }>(a)?.data;
    if (a.status !== 200 || !d) throw new Error(`listing the library: ${a.status} ${a.body.toString('utf8').slice(0, 200)}`);
    if (total < 0) total = d.total;
    count += d.items.length;
    bytes += d.items.reduce((s, i) => s + i.sizeBytes, 0);
    if (!d.nextCursor) break;
    cursor = d.nextCursor;
  }
  return { total, count, bytes };
}

export async function checkQuota(http: HttpClient, ctx: SoakContext): Promise<Omit<QuotaCheck, 'reconcile'>> {
  const auth = `Bearer ${ctx.creds.apiKey}`;
  const a = await http.send({ method: 'GET', path: '/v1/user/me/usage', headers: { authorization: auth } });
  const u = jsonOf<{ data?: { images: { totalCount: number; storageUsed: number; bandwidthUsed: number } } }>(a)?.data?.images;
  if (a.status !== 200 || !u) throw new Error(`GET /v1/user/me/usage: ${a.status}`);
  const listed = await listAll(http, auth);
  return {
    usageCount: u.totalCount, usageStorageBytes: u.storageUsed, usageBandwidthBytes: u.bandwidthUsed,
    listTotal: listed.total, listedCount: listed.count, listedBytes: listed.bytes, clientCount: ctx.pool.live.size, clientServedBytes: ctx.served.bytes,
  };
}

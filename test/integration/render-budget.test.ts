// Issue 14 §1–2: every render has a hard time budget (its worker process is killed past it), a render that
// blew it is refused at once afterwards instead of being retried by every request, ordinary renders keep
// flowing meanwhile, and CPU-heavy upload work (sanitising a big SVG) never holds the event loop.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { FILTER_BOMB_SVG, manyPathsSvg } from '../support/hostile-svg.js';
import { uploadBody } from '../support/multipart.js';
import { mediaPath, uploadOk } from './suites/images.suite.js';

const BUDGET_MS = 1_500;
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

describe('render time budget and refusal memory', () => {
  let t: TestApp;
  let s: Session;
  let bomb: string;
  let photo: string;
  before(async () => {
    t = await startTestApp(undefined, { env: { PICORA_RENDER_TIMEOUT_MS: String(BUDGET_MS), PICORA_RENDER_CONCURRENCY: '2' } });
    s = await registerUser(t);
    bomb = mediaPath(await uploadOk(t, s.accessToken, FILTER_BOMB_SVG, 'bomb.svg'));
    photo = mediaPath(await uploadOk(t, s.accessToken, await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3a7' } }).jpeg().toBuffer(), 'p.jpg'));
  });
  after(async () => t?.close());

  it('the sanitiser bounded the filter of the stored SVG (turbulence octaves clamped)', async () => {
    const res = await t.app.inject({ url: bomb });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /numOctaves="4"/);
  });

  it('a render past its budget answers 422 within the budget; the same URL is then refused at once', async () => {
    const first = await timed(() => t.app.inject({ url: `${bomb}?w=4096&fmt=png` }));
    assert.equal(first.value.statusCode, 422, first.value.body);
    assert.equal(first.value.json().code, 'VALIDATION_ERROR');
    assert.match(first.value.json().error, /too complex to render/);
    assert.ok(first.ms < BUDGET_MS + 2_500, `answered after ${Math.round(first.ms)} ms (budget ${BUDGET_MS})`);
    assert.ok(first.ms >= BUDGET_MS - 100, `it did wait for the budget (${Math.round(first.ms)} ms)`);

    const renders = t.deps.variants.stats.renders;
    const refusals = t.deps.variants.refusals();
    const again = await timed(() => t.app.inject({ url: `${bomb}?w=4096&fmt=png` }));
    assert.equal(again.value.statusCode, 422);
    assert.equal(t.deps.variants.stats.renders, renders, 'no second render of a refused variant');
    assert.equal(t.deps.variants.refusals(), refusals + 1);
    assert.ok(again.ms < 200, `the refusal took ${Math.round(again.ms)} ms`);
  });

  it('while budget-blowing renders hold every slot, an ordinary render waits at most about one budget', async () => {
    const bombs = [3000, 3500, 4000].map((w) => t.app.inject({ url: `${bomb}?w=${w}&fmt=png` }));
    await new Promise((r) => setTimeout(r, 100));
    const ordinary = await timed(() => t.app.inject({ url: `${photo}?w=64&fmt=webp` }));
    assert.equal(ordinary.value.statusCode, 200);
    // each of these renders alone runs for ≥ 28 s on this 2-core machine (measured: w=3000 28 s, w=4096 > 120 s);
    // the ordinary one waits for one budget plus a replacement worker's start-up (slow under tsx and load)
    assert.ok(ordinary.ms < 12_000, `the ordinary render took ${Math.round(ordinary.ms)} ms`);
    const statuses = (await Promise.all(bombs)).map((r) => r.statusCode);
    assert.deepEqual(statuses, [422, 422, 422]);
  });

  it(`after repeated strikes every new size of that image is refused without rendering`, async () => {
    const renders = t.deps.variants.stats.renders;
    const res = await timed(() => t.app.inject({ url: `${bomb}?w=1234&fmt=webp` }));
    assert.equal(res.value.statusCode, 422);
    assert.match(res.value.json().error, /refused for a while/);
    assert.equal(t.deps.variants.stats.renders, renders);
    assert.ok(res.ms < 200);
  });

  it('a small render of a filter-heavy SVG still works: the raster follows the requested size', async () => {
    const other = mediaPath(await uploadOk(t, s.accessToken, Buffer.from(FILTER_BOMB_SVG.toString().replace('6000', '5999')), 'bomb2.svg'));
    const res = await t.app.inject({ url: `${other}?w=64&fmt=png` });
    assert.equal(res.statusCode, 200, res.body.slice(0, 200));
    const meta = await sharp(res.rawPayload).metadata();
    assert.equal(meta.width, 64);
  });
});

describe('CPU-heavy upload work stays off the event loop', () => {
  let t: TestApp;
  let s: Session;
  let base: string;
  before(async () => {
    t = await startTestApp();
    s = await registerUser(t);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => t?.close());

  it('/health answers within 200 ms while a 1.9 MB SVG of 45,000 paths is sanitised', async () => {
    const svg = manyPathsSvg();
    const body = uploadBody(svg, 'paths.svg');
    let done = false;
    const uploading = fetch(`${base}/v1/images`, { method: 'POST', headers: { ...bearer(s.accessToken), ...body.headers }, body: new Uint8Array(body.payload) }).finally(() => {
      done = true;
    });
    const latencies: number[] = [];
    while (!done) {
      const { value, ms } = await timed(() => fetch(`${base}/health`));
      assert.equal(value.status, 200);
      latencies.push(ms);
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await uploading;
    assert.equal(res.status, 201, await res.clone().text());
    assert.ok(latencies.length >= 3, `the upload took only ${latencies.length} health probes`);
    const worst = Math.max(...latencies);
    assert.ok(worst < 200, `slowest /health during the upload: ${Math.round(worst)} ms (${latencies.length} probes)`);
  });
});

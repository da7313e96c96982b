// Usage history and the photo information panel (issue 12) in Debian's chromium against a REAL server process.
// A JPEG with EXIF and GPS is uploaded and fetched through the media host (so the bandwidth meter, which flushes
// every 5 s, has something to write); its image page shows the camera the API reports and no coordinates until
// "Show location" is pressed, then an OpenStreetMap link with the right latitude and longitude, and the page asks
// no outside host for anything; a PNG says it has no camera information. The Usage page draws the storage and
// bandwidth charts (uPlot, fetched only then: the library's first load never fetches it), the 7 / 30 / 90 switch
// changes the request, and the summary line states today's storage. Screenshots: test-output/screenshots/usage-*.png.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { callApi, DESKTOP, e2eSkipReason, launchChromium, PHONE, prepareDashboard, registerAccount, screenshots, SHOTS, until } from '../support/e2e.js';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../support/server-process.js';

const EMAIL = 'usage-info-e2e@example.com';
const PASSWORD = 'correct horse 42';
const skip = e2eSkipReason('usage history and photo information');

type UsageDay = { date: string; imgStorageBytes: number; mediaStorageBytes: number; imgBandwidthBytes: number; mediaBandwidthBytes: number };
type PhotoInfo = { camera: string | null; location: { latitude: number; longitude: number } | null };

/** The dashboard's formatBytes (web/src/lib/format.ts), to state what the summary line must say. */
function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** The chart code: uPlot itself, or the chunk that holds it. */
const isChartScript = (url: string): boolean => /\.js(\?|$)/.test(url) && /uplot|usage-chart/i.test(url);

describe('usage history and photo information (chromium, real server)', { skip, timeout: 150_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let account: { token: string; id: string };
  let photoId: string;
  let pngId: string;
  const pageErrors: string[] = [];
  const scripts: string[] = [];
  const historyRequests: string[] = [];
  const outside: string[] = [];

  const shoot = (name: string) => screenshots(page, 'usage', name);

  async function step(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS, 'usage-FAILED.png'), fullPage: true }).catch(() => {});
      console.log(`# failed at ${page.url()}; page errors: ${JSON.stringify(pageErrors)}; server output:\n${server.output().slice(-3000)}`);
      throw err;
    }
  }

  async function upload(fixture: string, type: string, title: string): Promise<{ id: string; url: string }> {
    const form = new FormData();
    form.append('title', title);
    form.append('file', new Blob([await readFile(path.join(REPO_ROOT, 'test', 'fixtures', fixture))], { type }), fixture);
    const res = await server.fetch('/v1/images', { method: 'POST', body: form, headers: { authorization: `Bearer ${account.token}` } });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { data: { id: string; url: string } }).data;
  }

  const history = async (days: number): Promise<UsageDay[]> =>
    (await callApi(server, `/v1/usage/history?days=${days}`, 'GET', undefined, account.token))['days'] as UsageDay[];

  before(async () => {
    await prepareDashboard();
    const env = { PICORA_RATE_AUTH_PER_MIN: '10000', PICORA_RATE_READ_PER_MIN: '100000', PICORA_RATE_UPLOAD_PER_MIN: '10000', PICORA_RATE_MUTATION_PER_MIN: '10000' };
    [server, browser] = await Promise.all([startServerProcess(env, { label: 'usage-info server' }), launchChromium()]);
    context = await browser.newContext({ viewport: DESKTOP, baseURL: server.url, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('response', (r) => {
      if (r.url().endsWith('.js') || r.url().includes('.js?')) scripts.push(r.url());
    });
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/v1/usage/history') historyRequests.push(r.url());
      if (url.origin !== server.url && url.protocol !== 'data:' && url.protocol !== 'blob:') outside.push(r.url());
    });
    account = await registerAccount(server, EMAIL, PASSWORD);

    const photo = await upload('photo-exif-orient6-gps.jpg', 'image/jpeg', 'Camera photo');
    photoId = photo.id;
    pngId = (await upload('alpha.png', 'image/png', 'Transparent PNG')).id;
    // served three times through the media host: the meter writes them to today's bandwidth on its next flush
    for (let i = 0; i < 3; i++) {
      const res = await server.fetch(new URL(photo.url).pathname);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the library’s first load fetches no chart code', () =>
    step(async () => {
      await page.goto('/app/login');
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Library' }).waitFor();
      await page.waitForLoadState('networkidle');
      assert.ok(scripts.length > 0, 'scripts were seen');
      assert.deepEqual(scripts.filter(isChartScript), [], 'no uPlot chunk on the library’s first load');
    }));

  it('the photo information card shows the camera, and the location only when asked', () =>
    step(async () => {
      const info = (await callApi(server, `/v1/images/${photoId}/info`, 'GET', undefined, account.token)) as unknown as PhotoInfo;
      assert.ok(info.camera, `the fixture records a camera: ${JSON.stringify(info)}`);
      assert.ok(info.location, `the fixture records a location: ${JSON.stringify(info)}`);

      await page.goto(`/app/images/${photoId}`);
      const card = page.getByTestId('photo-info');
      await card.getByText(info.camera!).waitFor();
      assert.ok((await card.textContent())?.includes('Photo information'));
      assert.equal(await card.getByTestId('photo-coordinates').count(), 0, 'no coordinates before “Show location”');
      assert.equal(await card.getByRole('link', { name: /OpenStreetMap/ }).count(), 0);
      const lat = info.location!.latitude.toFixed(6);
      const lon = info.location!.longitude.toFixed(6);
      assert.ok(!(await page.locator('main').textContent())?.includes(lat), 'the latitude is not on the page yet');
      await shoot('photo-info');

      await card.getByRole('button', { name: 'Show location' }).click();
      assert.equal(await card.getByTestId('photo-coordinates').textContent(), `${lat}, ${lon}`);
      const link = card.getByRole('link', { name: /OpenStreetMap/ });
      const href = new URL((await link.getAttribute('href'))!);
      assert.equal(href.origin, 'https://www.openstreetmap.org');
      assert.equal(Number(href.searchParams.get('mlat')), Number(lat));
      assert.equal(Number(href.searchParams.get('mlon')), Number(lon));
      assert.equal(href.hash, `#map=15/${lat}/${lon}`);
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      await shoot('photo-location');
      assert.deepEqual(outside, [], 'the page asked no outside host for anything');
    }));

  it('a PNG has no camera information', () =>
    step(async () => {
      await page.goto(`/app/images/${pngId}`);
      const card = page.getByTestId('photo-info');
      await card.getByText('No camera information in this file.').waitFor();
      assert.equal(await card.getByRole('button', { name: 'Show location' }).count(), 0);
      await shoot('photo-none');
    }));

  it('the Usage page charts the history; the range switch changes the request', () =>
    step(async () => {
      // the bandwidth meter flushes every 5 s: wait until today's bytes served are stored
      const deadline = Date.now() + 20_000;
      let days = await history(7);
      while (!(days[days.length - 1]!.imgBandwidthBytes > 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        days = await history(7);
      }
      const today = days[days.length - 1]!;
      assert.ok(today.imgBandwidthBytes > 0, `today's bandwidth was metered: ${JSON.stringify(today)}`);
      assert.ok(today.imgStorageBytes > 0);

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
      await page.getByRole('heading', { name: 'History' }).waitFor();
      await until(page, `document.querySelectorAll('.usage-chart canvas').length === 2`, 10_000, 'two chart canvases');
      assert.ok(scripts.some(isChartScript), `the chart code is fetched on the Usage page: ${scripts.join(', ')}`);
      assert.match(historyRequests.at(-1)!, /[?&]days=30\b/);

      const sizes = (await page.evaluate(
        `[...document.querySelectorAll('.usage-chart canvas')].map((c) => { const r = c.getBoundingClientRect(); return [r.width, r.height]; })`,
      )) as Array<[number, number]>;
      for (const [w, h] of sizes) assert.ok(w > 100 && h > 50, `a chart has a real size: ${w}×${h}`);

      const summary = page.getByTestId('history-summary');
      const todayLabel = (await page.evaluate(
        `new Date('${today.date}T00:00:00Z').toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' })`,
      )) as string;
      const stored = formatBytes(today.imgStorageBytes + today.mediaStorageBytes);
      assert.ok((await summary.textContent())?.startsWith(`Storage ${stored} on ${todayLabel};`), `summary: ${await summary.textContent()}`);
      assert.match((await summary.textContent())!, /bandwidth last 30 days \d/);
      await shoot('history-30');

      for (const range of [7, 90]) {
        const before = historyRequests.length;
        await page.getByRole('radio', { name: `${range} days` }).check();
        await until(page, `document.querySelector('[data-testid=history-summary]')?.textContent.includes('last ${range} days')`, 10_000, `${range} days`);
        assert.ok(historyRequests.slice(before).some((u) => new URL(u).searchParams.get('days') === String(range)), `a request with days=${range}`);
        assert.equal(await page.locator('.history-table tbody tr').count(), range, `the table has ${range} rows`);
      }
      await shoot('history-90');

      // the chart follows its container: a phone's width
      await page.setViewportSize(PHONE);
      await until(page, `[...document.querySelectorAll('.usage-chart canvas')].every((c) => c.getBoundingClientRect().right <= ${PHONE.width})`, 5000, 'charts fit the phone');
      await page.setViewportSize(DESKTOP);

      // colours come from the theme: the legend marker of the images series follows dark mode
      const marker = `getComputedStyle(document.querySelector('.usage-chart .u-series:last-child .u-marker')).borderColor`;
      assert.equal(await page.evaluate(marker), 'rgb(109, 93, 252)');
      await page.emulateMedia({ colorScheme: 'dark' });
      await until(page, `${marker} === 'rgb(139, 125, 255)'`, 5000, 'the dark accent on the chart');
      await shoot('history-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      assert.deepEqual(outside, [], 'no outside host was asked for anything');
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    }));

  it('a new account sees an empty history, without the chart code', () =>
    step(async () => {
      const email = 'usage-empty-e2e@example.com';
      await registerAccount(server, email, PASSWORD);
      const fresh = await browser.newContext({ viewport: DESKTOP, baseURL: server.url, colorScheme: 'light' });
      const other = await fresh.newPage();
      const seen: string[] = [];
      other.on('response', (r) => void seen.push(r.url()));
      try {
        await other.goto('/app/login?next=%2Fusage');
        await other.getByLabel('Email').fill(email);
        await other.getByLabel('Password').fill(PASSWORD);
        await other.getByRole('button', { name: 'Sign in' }).click();
        await other.getByText('Nothing to chart yet').waitFor();
        await other.waitForLoadState('networkidle');
        assert.deepEqual(seen.filter(isChartScript), [], 'no chart code for an empty history');
        await screenshots(other, 'usage', 'history-empty');
      } finally {
        await fresh.close();
      }
    }));
});

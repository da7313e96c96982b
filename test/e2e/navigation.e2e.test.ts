// The library keeps its place (issue 12, defect 1) in Debian's chromium against a REAL server process: after
// infinite scroll through 75 images, opening one and pressing Back shows the same tiles at once, from the
// cache (the list requests are held back meanwhile), at the same scroll position; forward and back again too;
// a filtered view (?tag=, ?q=) comes back with its filter; a new navigation starts at the top. Also measures
// (and prints, without asserting a timing) how long the library with 200 images takes to paint its first row
// of thumbnails on loopback. Screenshots go to test-output/screenshots/nav-*.png.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { e2eSkipReason, launchChromium, prepareDashboard, registerAccount, SHOTS, until } from '../support/e2e.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const EMAIL = 'nav-e2e@example.com';
const PASSWORD = 'correct horse 42';
const skip = e2eSkipReason('navigation');

const TILES = 'document.querySelectorAll("[data-testid=tile]").length';
const tileCount = (page: Page) => page.evaluate(TILES) as Promise<number>;
const scrollY = (page: Page) => page.evaluate('window.scrollY') as Promise<number>;
/** The images shown, in order (their links). */
const shown = (page: Page) => page.evaluate('[...document.querySelectorAll("[data-testid=tile] a.tile-link")].map((a) => a.getAttribute("href"))') as Promise<string[]>;
/** A request for a page of the image list (not one image, not the tags). */
const isListRequest = (r: Request) => new URL(r.url()).pathname === '/v1/images' && r.method() === 'GET';

describe('the library keeps its place on back/forward (chromium, real server)', { skip, timeout: 300_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let account: { token: string; id: string };
  const pageErrors: string[] = [];

  async function step(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS, 'nav-FAILED.png'), fullPage: true }).catch(() => {});
      console.log(`# failed at ${page.url()}; page errors: ${JSON.stringify(pageErrors)}; server output:\n${server.output().slice(-3000)}`);
      throw err;
    }
  }

  /** `count` small distinct PNGs through the API, a few at a time; every third tagged "blue". */
  async function uploadMany(from: number, count: number): Promise<void> {
    const one = async (i: number) => {
      const bytes = await sharp({ create: { width: 60 + (i % 5) * 10, height: 40, channels: 3, background: { r: (i * 37) % 256, g: (i * 11) % 256, b: 120 } } }).png().toBuffer();
      const form = new FormData();
      form.append('title', `pic ${String(i).padStart(3, '0')}`);
      if (i % 3 === 0) form.append('tags', JSON.stringify(['blue']));
      form.append('file', new Blob([new Uint8Array(bytes)]), `pic-${i}.png`);
      const res = await server.fetch('/v1/images', { method: 'POST', body: form, headers: { authorization: `Bearer ${account.token}` } });
      assert.equal(res.status, 201, await res.text());
    };
    for (let i = from; i < from + count; i += 5) await Promise.all(Array.from({ length: Math.min(5, from + count - i) }, (_, k) => one(i + k)));
  }

  /** Goes back and checks the library came back whole (the same tiles, the same place) while the server's
   * list answers are held back: what shows is the cache, not a new first page. */
  async function backToLibrary(expected: { tiles: number; y: number; url: RegExp; tile?: { index: number; top: number }; images?: string[] }): Promise<void> {
    const held: Request[] = [];
    await page.route(
      (u) => u.pathname === '/v1/images',
      async (route) => {
        held.push(route.request());
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue().catch(() => {});
      },
    );
    try {
      await page.goBack();
      assert.match(page.url(), expected.url);
      await until(page, `${TILES} === ${expected.tiles}`, 1000, `the ${expected.tiles} tiles back from the cache`);
      if (expected.images) assert.deepEqual(await shown(page), expected.images, 'the same images, in the same order');
      const y = await scrollY(page);
      assert.ok(Math.abs(y - expected.y) <= 50, `scrolled back to ${expected.y}: at ${y}`);
      // still the same, and in the same place, once the rest of the page (the tag chips) is in, while any
      // refresh of the list is still on its way
      await page.waitForTimeout(600);
      assert.equal(await tileCount(page), expected.tiles);
      const settled = await scrollY(page);
      assert.ok(Math.abs(settled - expected.y) <= 50, `still at ${expected.y}: at ${settled}`);
      let moved = '';
      if (expected.tile) {
        const top = (await page.evaluate(`document.querySelectorAll("[data-testid=tile]")[${expected.tile.index}].getBoundingClientRect().top`)) as number;
        assert.ok(Math.abs(top - expected.tile.top) <= 50, `tile ${expected.tile.index} back at ${expected.tile.top} px from the top of the view: at ${top}`);
        moved = `, tile ${expected.tile.index} at ${top.toFixed(0)} px in the view (was ${expected.tile.top.toFixed(0)})`;
      }
      console.log(`# back: ${expected.tiles} tiles at once, scrollY ${y} (was ${expected.y})${moved}; list requests held meanwhile: ${held.length}`);
    } finally {
      await page.unroute((u) => u.pathname === '/v1/images');
    }
  }

  async function signIn(): Promise<void> {
    await page.goto('/app/login');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Library' }).waitFor();
  }

  before(async () => {
    await prepareDashboard();
    const env = { PICORA_RATE_AUTH_PER_MIN: '10000', PICORA_RATE_READ_PER_MIN: '100000', PICORA_RATE_UPLOAD_PER_MIN: '10000', PICORA_RATE_MUTATION_PER_MIN: '10000' };
    [server, browser] = await Promise.all([startServerProcess(env, { label: 'nav server' }), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    account = await registerAccount(server, EMAIL, PASSWORD);
    await uploadMany(0, 75);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Back from an image shows the loaded pages at the same scroll position, from the cache; forward and back again', () =>
    step(async () => {
      await signIn();
      await until(page, `${TILES} === 30`, 10_000, 'the first page');

      // infinite scroll down to every page, then settle somewhere past the first page's tiles
      for (let i = 0; i < 40 && (await tileCount(page)) < 75; i++) {
        await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
        await page.waitForTimeout(250);
      }
      await until(page, `${TILES} === 75 && ![...document.querySelectorAll('[role=status]')].some((e) => e.textContent === 'Loading more…')`, 10_000, 'all 75 tiles by infinite scroll');
      await page.evaluate('document.querySelectorAll("[data-testid=tile]")[48].scrollIntoView({ block: "start" })');
      await page.waitForTimeout(300);
      const y = await scrollY(page);
      const firstPageEnd = (await page.evaluate('document.querySelectorAll("[data-testid=tile]")[29].getBoundingClientRect().bottom + window.scrollY')) as number;
      assert.ok(y > firstPageEnd, `the place (${y}) is past the first page's tiles (${firstPageEnd})`);
      const images = await shown(page);
      await page.screenshot({ path: path.join(SHOTS, 'nav-library-scrolled.png') });

      // open an image near the top of the view: its page starts at the top
      const tile = { index: 49, top: (await page.evaluate('document.querySelectorAll("[data-testid=tile]")[49].getBoundingClientRect().top')) as number };
      const name = (await page.evaluate('document.querySelectorAll("[data-testid=tile]")[49].querySelector("a").getAttribute("aria-label")')) as string;
      await page.getByTestId('tile').nth(49).getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { name: name.replace(/ \(private\)$/, '') }).waitFor();
      await until(page, 'window.scrollY === 0', 2000, 'the image page at the top');

      const listRequests: string[] = [];
      const seen = (r: Request) => void (isListRequest(r) && listRequests.push(r.url()));
      page.on('request', seen);
      await backToLibrary({ tiles: 75, y, url: /\/app\/$/, tile, images });
      await page.screenshot({ path: path.join(SHOTS, 'nav-library-back.png') });

      // forward to the image, and back again
      await page.goForward();
      await page.getByRole('heading', { name: name.replace(/ \(private\)$/, '') }).waitFor();
      await until(page, 'window.scrollY === 0', 2000, 'the image page at the top again');
      await backToLibrary({ tiles: 75, y, url: /\/app\/$/, tile, images });
      page.off('request', seen);
      console.log(`# list requests after the two Backs (refreshes behind the shown list): ${listRequests.length}`);
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    }));

  it('a filtered view (?tag=, ?q=) comes back with its filter on back/forward', () =>
    step(async () => {
      await page.evaluate('window.scrollTo(0, 0)');
      await page.locator('.chips').getByRole('button', { name: /#blue/ }).click();
      await page.waitForURL(/\/app\/\?tag=blue$/);
      await until(page, `${TILES} === 25`, 10_000, 'the 25 blue images');
      await page.evaluate('document.querySelectorAll("[data-testid=tile]")[10].scrollIntoView({ block: "start" })');
      await page.waitForTimeout(300);
      const y = await scrollY(page);
      const tile = { index: 12, top: (await page.evaluate('document.querySelectorAll("[data-testid=tile]")[12].getBoundingClientRect().top')) as number };
      await page.getByTestId('tile').nth(12).locator('a.tile-link').click();
      await page.waitForURL(/\/app\/images\//);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await backToLibrary({ tiles: 25, y, url: /\/app\/\?tag=blue$/, tile });
      assert.equal(await page.locator('.chips').getByRole('button', { name: /#blue/ }).getAttribute('aria-pressed'), 'true', 'the tag filter is on');
      assert.equal(await page.getByLabel('Filter by tag').inputValue(), 'blue');

      // the tag off, a search: it survives opening an image and coming back
      await page.locator('.chips').getByRole('button', { name: /#blue/ }).click();
      await page.waitForURL(/\/app\/$/);
      await page.getByLabel('Search images').fill('pic 07');
      await page.waitForURL(/\/app\/\?q=pic\+07$/);
      await until(page, `${TILES} === 5`, 10_000, 'the five images titled "pic 07…"');
      await page.getByTestId('tile').nth(2).locator('a.tile-link').click();
      await page.waitForURL(/\/app\/images\//);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await backToLibrary({ tiles: 5, y: 0, url: /\/app\/\?q=pic\+07$/ });
      assert.equal(await page.getByLabel('Search images').inputValue(), 'pic 07');

      // the Library link is a new page (no filter), and Back within the library brings the search back
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Library' }).click();
      await page.waitForURL(/\/app\/$/);
      await until(page, `${TILES} >= 30`, 10_000, 'the whole library');
      await page.waitForTimeout(700); // longer than the search box's debounce: it must not put the old search back
      assert.match(page.url(), /\/app\/$/);
      assert.equal(await page.getByLabel('Search images').inputValue(), '');
      await page.goBack();
      await page.waitForURL(/\/app\/\?q=pic\+07$/);
      await until(page, `${TILES} === 5`, 1000, 'the search results back');
      assert.equal(await page.getByLabel('Search images').inputValue(), 'pic 07');
      await page.waitForTimeout(700);
      assert.match(page.url(), /\/app\/\?q=pic\+07$/, 'the search stays');
      await page.goForward();
      await page.waitForURL(/\/app\/$/);
      await until(page, `${TILES} >= 30 && document.querySelector('[aria-label="Search images"]').value === ''`, 2000, 'the unfiltered library forward');
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    }));

  it('a new navigation starts at the top', () =>
    step(async () => {
      await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
      await page.waitForTimeout(300);
      assert.ok((await scrollY(page)) > 300, 'scrolled down the library');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Albums' }).click();
      await page.getByRole('heading', { name: 'Albums' }).waitFor();
      await until(page, 'window.scrollY === 0', 2000, 'the albums page at the top');
      await nav.getByRole('link', { name: 'Library' }).click();
      await page.getByRole('heading', { name: 'Library' }).waitFor();
      await until(page, `${TILES} >= 30`, 10_000, 'the library');
      await page.waitForTimeout(200);
      assert.equal(await scrollY(page), 0, 'the library opened anew starts at the top');
    }));

  it('the library with 200 images paints its first row of thumbnails (measured, printed)', () =>
    step(async () => {
      await uploadMany(75, 125);
      if (!(await context.cookies()).some((c) => c.path === '/v1/auth')) await signIn();
      // a fresh browser context (no cached thumbnails) signed in by the same refresh cookie
      const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url, storageState: await context.storageState() });
      try {
        const p = await fresh.newPage();
        // each frame until then: are the first row's thumbnails all decoded? (set before any script of the page)
        await p.addInitScript(`(() => {
          const check = () => {
            const tiles = [...document.querySelectorAll('[data-testid=tile]')];
            if (tiles.length) {
              const top = tiles[0].getBoundingClientRect().top;
              const row = tiles.filter((t) => Math.abs(t.getBoundingClientRect().top - top) < 2).map((t) => t.querySelector('img'));
              if (row.length && row.every((img) => img && img.complete && img.naturalWidth > 0)) {
                window.__firstRow = { ms: performance.now(), tiles: row.length };
                return;
              }
            }
            requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        })()`);
        await p.goto('/app/');
        await until(p, 'window.__firstRow', 15_000, 'the first row of thumbnails');
        const first = (await p.evaluate('window.__firstRow')) as { ms: number; tiles: number };
        const total = (await p.evaluate('document.querySelector(".page-head p")?.textContent')) as string;
        assert.match(total, /^200 images/);
        console.log(`# library with 200 images (${total}): first row of ${first.tiles} thumbnails painted ${first.ms.toFixed(0)} ms after navigation start (loopback, fresh cache)`);
        // where the time went: each request's start and end (ms after navigation start)
        const timeline = (await p.evaluate(`performance.getEntriesByType('resource').filter((e) => e.startTime < ${first.ms})
          .map((e) => { const u = new URL(e.name); return (u.pathname + u.search).slice(0, 70) + ' ' + e.startTime.toFixed(0) + '→' + e.responseEnd.toFixed(0); })`)) as string[];
        console.log(`# timeline:\n#   ${timeline.join('\n#   ')}`);
        await p.screenshot({ path: path.join(SHOTS, 'nav-200-first-row.png') });
      } finally {
        await fresh.close();
      }
    }));
});

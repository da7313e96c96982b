// Dashboard v2 (issue 12) in Debian's chromium against a REAL server process, one assertion per defect fixed so
// each stays fixed: a bookmarked filtered address survives the sign-in (10); the first paint loads only the
// library's code, pre-compressed (14); focus lands on an image's heading once its page has loaded (7); no
// language option that changes nothing (12). Screenshots go to test-output/screenshots/v2-*.png.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { callApi, e2eSkipReason, launchChromium, prepareDashboard, registerAccount, screenshots, SHOTS, until } from '../support/e2e.js';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../support/server-process.js';

const EMAIL = 'v2-e2e@example.com';
const PASSWORD = 'correct horse 42';
const skip = e2eSkipReason('dashboard v2');

describe('dashboard v2 defects stay fixed (chromium, real server)', { skip, timeout: 120_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let account: { token: string; id: string };
  const pageErrors: string[] = [];

  const shoot = (name: string) => screenshots(page, 'v2', name);

  async function step(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS, 'v2-FAILED.png'), fullPage: true }).catch(() => {});
      console.log(`# failed at ${page.url()}; server output:\n${server.output().slice(-3000)}`);
      throw err;
    }
  }

  async function uploadImage(title: string): Promise<string> {
    const form = new FormData();
    form.append('title', title);
    form.append('file', new Blob([await readFile(path.join(REPO_ROOT, 'test', 'fixtures', 'photo.jpg'))], { type: 'image/jpeg' }), 'photo.jpg');
    const res = await server.fetch('/v1/images', { method: 'POST', body: form, headers: { authorization: `Bearer ${account.token}` } });
    assert.equal(res.status, 201);
    return ((await res.json()) as { data: { id: string } }).data.id;
  }

  before(async () => {
    await prepareDashboard();
    const env = { PICORA_RATE_AUTH_PER_MIN: '10000', PICORA_RATE_READ_PER_MIN: '100000', PICORA_RATE_UPLOAD_PER_MIN: '10000', PICORA_RATE_MUTATION_PER_MIN: '10000' };
    [server, browser] = await Promise.all([startServerProcess(env, { label: 'v2 server' }), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    account = await registerAccount(server, EMAIL, PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('10: a bookmarked filtered address survives the sign-in', () =>
    step(async () => {
      await page.goto('/app/media?q=sunset');
      await page.waitForURL(/\/app\/login\?next=/);
      assert.equal(new URL(page.url()).searchParams.get('next'), '/media?q=sunset');
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/app\/media\?q=sunset$/);
      assert.equal(await page.getByLabel('Search everything').inputValue(), 'sunset');
      // an address outside the app is never followed
      await page.goto('/app/login?next=%2F%2Fevil.example');
      await page.waitForURL((u) => u.pathname === '/app/' || u.pathname === '/app');
    }));

  it('14: the first paint loads only the library’s code, brotli-compressed and under 150 KB', () =>
    step(async () => {
      const scripts: Array<{ url: string; encoding: string | undefined }> = [];
      const listener = (r: Response) => {
        if (r.url().endsWith('.js')) scripts.push({ url: r.url(), encoding: r.headers()['content-encoding'] });
      };
      page.on('response', listener);
      await page.goto('/app/');
      await page.getByRole('heading', { name: 'Library' }).waitFor();
      await page.waitForLoadState('networkidle');
      page.off('response', listener);
      assert.ok(scripts.length >= 1);
      // every script of 1 KB or more comes as its brotli copy (smaller ones have none: the build skips them)
      const sizes = new Map(
        ((await page.evaluate(`performance.getEntriesByType('resource').map((e) => [e.name, e.decodedBodySize])`)) as Array<[string, number]>),
      );
      const plain = scripts.filter((s) => s.encoding !== 'br' && (sizes.get(s.url) ?? 0) >= 1024);
      assert.deepEqual(plain, [], `every script came pre-compressed: ${JSON.stringify(scripts)}`);
      assert.ok(scripts.some((s) => /\/index-[\w-]+\.js$/.test(s.url) && s.encoding === 'br'), 'the entry script came as brotli');
      for (const other of ['settings-page', 'keys-page', 'admin-page', 'image-page', 'video-page', 'webhooks-page', 'hls', 'browser']) {
        assert.ok(!scripts.some((s) => s.url.includes(other)), `${other} is not loaded for the library's first paint`);
      }
      const bytes = (await page.evaluate(
        `performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')).reduce((n, e) => n + e.encodedBodySize, 0)`,
      )) as number;
      console.log(`# library first paint: ${scripts.length} scripts, ${(bytes / 1024).toFixed(1)} KB compressed`);
      assert.ok(bytes > 0 && bytes <= 150 * 1024, `first-page JavaScript ${bytes} bytes ≤ 150 KB compressed`);
    }));

  it('7: focus lands on the image’s heading once its page has loaded', () =>
    step(async () => {
      await uploadImage('Harbour at dusk');
      await page.goto('/app/');
      const tile = page.getByRole('link', { name: 'Harbour at dusk' });
      await tile.waitFor();
      await tile.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Harbour at dusk' }).waitFor();
      await until(page, 'document.activeElement?.tagName === "H1"', 5000, 'focus on the heading');
      assert.equal(await page.evaluate('document.activeElement.textContent'), 'Harbour at dusk');
      await shoot('07-image-focused');
    }));

  it('12: no language option that changes nothing', () =>
    step(async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Settings' }).waitFor();
      assert.equal(await page.getByLabel('Language').count(), 0);
      assert.equal(await page.getByText('简体中文').count(), 0);
      const me = await callApi(server, '/v1/user/me', 'GET', undefined, account.token);
      assert.equal(me['email'], EMAIL);
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    }));
});

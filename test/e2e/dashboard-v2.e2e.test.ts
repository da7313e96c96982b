// Dashboard v2 (issue 12) in Debian's chromium against a REAL server process, one assertion per defect fixed so
// each stays fixed: a bookmarked filtered address survives the sign-in (10); the first paint loads only the
// library's code, pre-compressed (14); focus lands on an image's heading once its page has loaded (7); no
// language option that changes nothing (12); the upload panel counts right, shows one bar for the batch with the
// time left and Cancel all, and folds itself when all went through (5); a refused file is explained plainly and
// offers no Retry, a dropped connection does (6). Screenshots go to test-output/screenshots/v2-*.png.
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

  it('5: one bar for the batch with the time left, Cancel all, the right count; folded when all went through', () =>
    step(async () => {
      await page.goto('/app/');
      await page.getByRole('heading', { name: 'Library' }).waitFor();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 24 * 1024 });
      await page.getByRole('button', { name: 'Upload', exact: true }).first().click();
      const fixtures = ['cmyk.jpg', 'photo-exif-orient6-gps.jpg', 'animated.gif'].map((f) => path.join(REPO_ROOT, 'test', 'fixtures', f));
      await page.getByTestId('file-input').setInputFiles(fixtures);
      const panel = page.getByRole('region', { name: 'Uploads' });
      await panel.getByRole('progressbar', { name: 'All uploads' }).waitFor();
      assert.match((await panel.getByRole('status').textContent()) ?? '', /^[0-2] of 3 uploaded$/);
      await until(page, '/left|estimating/.test(document.querySelector("[data-testid=upload-time-left]")?.textContent ?? "")', 5000, 'the time left');
      await panel.getByRole('button', { name: 'Cancel all' }).waitFor();
      await shoot('05-upload-batch');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await until(page, 'document.querySelector("[aria-label=Uploads] [role=status]")?.textContent === "3 uploads complete"', 20_000, 'all three done');
      await until(page, 'document.querySelector("[aria-label=Uploads] button[aria-expanded]")?.getAttribute("aria-expanded") === "false"', 5000, 'the panel to fold');
      assert.equal(await panel.getByTestId('upload-item').count(), 0, 'folded: the list is hidden');
      await panel.getByRole('button', { name: 'Clear' }).click();

      // Cancel all stops a batch on its way
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 * 1024 });
      await page.getByRole('button', { name: 'Upload', exact: true }).first().click();
      await page.getByTestId('file-input').setInputFiles([path.join(REPO_ROOT, 'test', 'fixtures', 'wrong-extension.png')]);
      await panel.getByRole('button', { name: 'Cancel all' }).click();
      await until(page, '!document.querySelector("[aria-label=Uploads]")', 5000, 'the panel to go');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    }));

  it('6: a refused file is explained plainly with no Retry; a dropped connection offers Retry', () =>
    step(async () => {
      await page.getByRole('button', { name: 'Upload', exact: true }).first().click();
      await page.getByTestId('file-input').setInputFiles([path.join(REPO_ROOT, 'test', 'fixtures', 'truncated.jpg'), path.join(REPO_ROOT, 'test', 'fixtures', 'not-image.txt')]);
      const panel = page.getByRole('region', { name: 'Uploads' });
      await panel.getByText('This file could not be read: it looks damaged or incomplete').waitFor();
      await panel.getByText('This file type is not supported').waitFor();
      assert.equal(await panel.getByText('Validation error').count(), 0, 'no raw validation text');
      assert.equal(await panel.getByRole('button', { name: /^Retry/ }).count(), 0, 'nothing to retry for refused files');
      assert.equal(await panel.getByRole('button', { name: /^Remove/ }).count(), 2);
      await shoot('06-refused');
      await panel.getByRole('button', { name: 'Clear' }).click();

      // the connection drops: Retry, and it then goes through
      await page.route('**/v1/images', (route) => (route.request().method() === 'POST' ? route.abort('connectionreset') : route.continue()));
      await page.getByRole('button', { name: 'Upload', exact: true }).first().click();
      await page.getByTestId('file-input').setInputFiles([path.join(REPO_ROOT, 'test', 'fixtures', 'alpha.png')]);
      const retry = panel.getByRole('button', { name: 'Retry alpha.png' });
      await retry.waitFor();
      await page.unroute('**/v1/images');
      await retry.click();
      await until(page, 'document.querySelector("[aria-label=Uploads] [role=status]")?.textContent === "Upload complete"', 10_000, 'the retried upload');
      await page.getByRole('link', { name: 'alpha.png', exact: true }).waitFor();
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    }));
});

// Albums in the dashboard (issue 12) in Debian's chromium against a REAL server process: images selected in the
// library go into a new album from the "Add to album" dialog → the Albums page shows it with its cover and count
// → an image page files a third image in it → some are taken out from the album page → rename → deleting the
// album keeps its images in the library; deleting one "with its items" deletes them. Screenshots go to
// test-output/screenshots/albums-*.png.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { callApi, e2eSkipReason, launchChromium, prepareDashboard, registerAccount, screenshots, SHOTS, until } from '../support/e2e.js';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../support/server-process.js';

const EMAIL = 'albums-e2e@example.com';
const PASSWORD = 'correct horse 42';
const skip = e2eSkipReason('albums');

describe('albums in the dashboard (chromium, real server)', { skip, timeout: 120_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let account: { token: string; id: string };
  const pageErrors: string[] = [];
  const images: Record<string, string> = {};

  const shoot = (name: string) => screenshots(page, 'albums', name);
  const tiles = () => page.getByTestId('tile');
  const libraryCount = async () => ((await callApi(server, '/v1/images', 'GET', undefined, account.token))['items'] as unknown[]).length;

  async function upload(title: string, fixture: string): Promise<void> {
    const form = new FormData();
    form.append('title', title);
    form.append('file', new Blob([await readFile(path.join(REPO_ROOT, 'test', 'fixtures', fixture))]), fixture);
    const res = await server.fetch('/v1/images', { method: 'POST', body: form, headers: { authorization: `Bearer ${account.token}` } });
    assert.equal(res.status, 201, await res.clone().text());
    images[title] = ((await res.json()) as { data: { id: string } }).data.id;
  }

  async function step(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS, 'albums-FAILED.png'), fullPage: true }).catch(() => {});
      console.log(`# failed at ${page.url()}; server output:\n${server.output().slice(-3000)}`);
      throw err;
    }
  }

  before(async () => {
    await prepareDashboard();
    const env = { PICORA_RATE_AUTH_PER_MIN: '10000', PICORA_RATE_READ_PER_MIN: '100000', PICORA_RATE_UPLOAD_PER_MIN: '10000', PICORA_RATE_MUTATION_PER_MIN: '10000' };
    [server, browser] = await Promise.all([startServerProcess(env, { label: 'albums server' }), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    account = await registerAccount(server, EMAIL, PASSWORD);
    await upload('Beach', 'photo.jpg');
    await upload('Dunes', 'alpha.png');
    await upload('Harbour', 'cmyk.jpg');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('select in the library → Add to album (a new one) → the Albums page shows it with its cover and count', () =>
    step(async () => {
      await page.goto('/app/login');
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await until(page, 'document.querySelectorAll("[data-testid=tile]").length === 3', 10_000, 'three tiles');
      await page.getByRole('checkbox', { name: 'Select Beach' }).check();
      await page.getByRole('checkbox', { name: 'Select Dunes' }).check();
      await page.getByRole('region', { name: 'Selection' }).getByRole('button', { name: 'Add to album' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add 2 items to an album' });
      await dialog.getByLabel('Name of the new album').fill('Holidays');
      await shoot('01-picker');
      await dialog.getByRole('button', { name: 'Add to album' }).click();
      await page.getByText('Added 2 images to “Holidays”').waitFor();

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Albums' }).click();
      const card = page.getByTestId('album-card');
      await card.waitFor();
      assert.equal(await card.count(), 1);
      assert.match((await card.textContent()) ?? '', /Holidays.*2 items/);
      await until(page, 'document.querySelector("[data-testid=album-card] img")?.naturalWidth > 0', 10_000, 'the album cover');
      await shoot('02-albums');
    }));

  it('an image page files a third image; the album page shows all three; taking one out leaves it in the library', () =>
    step(async () => {
      await page.goto(`/app/images/${images['Harbour']}`);
      await page.getByRole('heading', { name: 'Harbour' }).waitFor();
      const select = page.getByLabel('Filed in');
      await until(page, '[...document.querySelectorAll("option")].some((o) => o.textContent === "Holidays")', 10_000, 'the album in the list');
      await select.selectOption({ label: 'Holidays' });
      await page.getByText('Added to “Holidays”').waitFor();
      assert.equal((await callApi(server, `/v1/images/${images['Harbour']}`, 'GET', undefined, account.token))['kbId'] !== null, true);

      await page.getByRole('link', { name: 'Open “Holidays”' }).click();
      await page.getByRole('heading', { name: 'Holidays' }).waitFor();
      await until(page, 'document.querySelectorAll("[data-testid=tile]").length === 3', 10_000, 'three tiles in the album');
      assert.match((await page.getByTestId('album-summary').textContent()) ?? '', /^3 items/);
      await shoot('03-album');

      await page.getByRole('checkbox', { name: 'Select Dunes' }).check();
      await page.getByRole('button', { name: 'Remove from album' }).click();
      await page.getByText('Removed 1 image from the album').waitFor();
      assert.equal(await tiles().count(), 2);
      assert.equal(await libraryCount(), 3, 'taken out of the album, still in the library');
    }));

  it('rename; delete keeping the images; delete with the images', () =>
    step(async () => {
      await page.getByLabel('Album name').fill('Summer');
      await page.getByRole('button', { name: 'Rename' }).click();
      await page.getByText('Album renamed').waitFor();
      await page.getByRole('heading', { name: 'Summer' }).waitFor();

      await page.getByRole('button', { name: 'Delete album' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete album' }).click();
      await page.getByText('Album deleted; its items stay in your library').waitFor();
      await page.getByText('No albums yet').waitFor();
      assert.equal(await libraryCount(), 3);
      assert.equal((await callApi(server, `/v1/images/${images['Beach']}`, 'GET', undefined, account.token))['kbId'], null);

      // an album deleted with what is in it
      const album = await callApi(server, '/v1/collections', 'POST', { name: 'Scratch' }, account.token);
      await callApi(server, '/v1/images/batch-move', 'POST', { ids: [images['Dunes']], kbId: album['id'] }, account.token);
      await page.goto(`/app/albums/${String(album['id'])}`);
      await page.getByRole('heading', { name: 'Scratch' }).waitFor();
      await page.getByRole('button', { name: 'Delete album' }).click();
      await page.getByRole('radio', { name: /Delete its 1 item too/ }).check();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete album and 1 item' }).click();
      await page.getByText('Album and its items deleted').waitFor();
      assert.equal(await libraryCount(), 2);
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    }));
});

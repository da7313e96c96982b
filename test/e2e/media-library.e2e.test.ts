// The unified library end to end: Debian's chromium (playwright-core) against a REAL server process. A Pro
// account uploads a 26 MB WAV through the Audio tab with the upload throttled (Chromium's network emulation):
// it goes through tus (tus-js-client) → paused, it stops moving → resumed, it continues from where it was (the
// PATCH carries a non-zero Upload-Offset) → the page is reloaded mid-way → the panel offers the unfinished upload
// → the same file chosen again continues from the server's offset, not from zero → the audio card shows its cover,
// duration and a player that plays; the audio page plays and seeks. An MP3 with embedded cover art shows its
// tags; an image and a video chosen together in the Upload dialog each go where their type says; the All tab lists the three kinds and each type tab only its own. A second upload cut
// off by a reload and then discarded ends on the server (its URL answers 404). The avatar uploaded on Settings
// shows in the sidebar and is served publicly. Screenshots go to
// test-output/screenshots/media-*.png.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { generateAudio } from '../support/audio-clips.js';
import { generateClip } from '../support/video-clips.js';
import { callApi, e2eSkipReason, launchChromium, prepareDashboard, registerAccount, screenshots, SHOTS, until } from '../support/e2e.js';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../support/server-process.js';

const EMAIL = 'media-e2e@example.com';
const PASSWORD = 'correct horse 42';
const hasFfmpeg = () => spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
const skip = e2eSkipReason('media library', [!hasFfmpeg() && 'ffmpeg is missing (apt-get install ffmpeg)']);

/** A stereo 44.1 kHz 16-bit WAV tone: 176 400 bytes a second. */
async function makeWav(file: string, seconds: number, frequency: number): Promise<string> {
  await promisify(execFile)('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=44100:duration=${seconds}`,
    '-ac', '2', '-c:a', 'pcm_s16le', file,
  ]);
  return file;
}

describe('the unified library and resumable uploads in the dashboard (chromium, real server)', { skip, timeout: 180_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let tmp: string;
  let longWav: string;
  let otherWav: string;
  let admin: { token: string; id: string };
  const pageErrors: string[] = [];
  const refused: string[] = [];
  /** Every PATCH of a resumable upload: its file's session URL and its Upload-Offset, in order. */
  const patches: Array<{ url: string; offset: number; phase: string }> = [];
  let phase = 'first visit';

  const shoot = (name: string) => screenshots(page, 'media', name);
  const throttle = (bytesPerSecond: number) =>
    cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
  const progressOf = async (name: string): Promise<number> =>
    Number(await page.locator('[data-testid=upload-item]', { hasText: name }).getByRole('progressbar').getAttribute('aria-valuenow'));
  async function progressReaches(name: string, pct: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await progressOf(name)) < pct) {
      if (Date.now() > deadline) throw new Error(`the upload of ${name} did not reach ${pct}% in ${timeoutMs} ms`);
      await page.waitForTimeout(50);
    }
  }

  async function step(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS, 'media-FAILED.png'), fullPage: true }).catch(() => {});
      console.log(`# failed at ${page.url()}; refused: ${JSON.stringify(refused)}; patches: ${JSON.stringify(patches)}`);
      console.log(`# server output:\n${server.output().slice(-4000)}`);
      throw err;
    }
  }

  before(async () => {
    await prepareDashboard();
    tmp = await mkdtemp(path.join(tmpdir(), 'picora-media-e2e-'));
    const env = { PICORA_RATE_AUTH_PER_MIN: '10000', PICORA_RATE_READ_PER_MIN: '100000', PICORA_RATE_UPLOAD_PER_MIN: '10000', PICORA_RATE_MUTATION_PER_MIN: '10000' };
    [server, longWav, otherWav, browser] = await Promise.all([
      startServerProcess(env, { label: 'media server' }),
      makeWav(path.join(tmp, 'long.wav'), 150, 440),
      makeWav(path.join(tmp, 'other.wav'), 100, 660),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url, colorScheme: 'light' });
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('request', (r) => {
      if (r.method() === 'PATCH' && r.url().includes('/v1/uploads/')) patches.push({ url: r.url(), offset: Number(r.headers()['upload-offset']), phase });
    });
    context.on('response', (r) => r.status() >= 400 && refused.push(`${r.status()} ${r.request().method()} ${r.url()}`));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('audio through tus: pause and resume, a reload mid-way, continued from the server’s offset; cover and player', () =>
    step(async () => {
      admin = await registerAccount(server, EMAIL, PASSWORD);
      await callApi(server, `/v1/admin/users/${admin.id}`, 'PATCH', { plan: 'pro' }, admin.token);
      await page.goto('/app/login');
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Media type' }).getByRole('link', { name: 'Audio' }).click();
      await page.getByText('No audio yet').waitFor();
      assert.equal(await page.getByTestId('audio-plan-hint').count(), 0, 'a Pro account gets the upload control, not the plan hint');
      await shoot('01-audio-empty');

      const size = (await stat(longWav)).size;
      await throttle(3 * 1024 * 1024);
      await page.getByTestId('audio-file-input').setInputFiles(longWav);
      await progressReaches('long.wav', 10);

      // Paused: the bar stops where it is.
      await page.getByRole('button', { name: 'Pause long.wav' }).click();
      await page.locator('[data-testid=upload-item]', { hasText: 'long.wav' }).getByText(/Paused at \d+%/).waitFor();
      const pausedAt = await progressOf('long.wav');
      await page.waitForTimeout(1500);
      assert.equal(await progressOf('long.wav'), pausedAt, 'a paused upload does not move');
      await shoot('02-paused');

      // Resumed: it continues from the server's offset, not from the start.
      phase = 'resumed';
      await page.getByRole('button', { name: 'Resume long.wav' }).click();
      await progressReaches('long.wav', Math.max(45, pausedAt + 20));
      const resumed = patches.filter((p) => p.phase === 'resumed');
      assert.ok(resumed.length >= 1 && resumed[0]!.offset > 0, `the PATCH after Resume starts past zero: ${JSON.stringify(resumed)}`);

      // A reload mid-way: the panel offers the unfinished upload; the same file continues it.
      phase = 'after reload';
      await page.reload();
      const unfinished = page.getByTestId('unfinished-upload').filter({ hasText: 'long.wav' });
      await unfinished.waitFor();
      await shoot('03-unfinished');
      await throttle(-1);
      await page.getByTestId('unfinished-file-input').setInputFiles(longWav);
      const card = page.getByTestId('audio-card').filter({ hasText: 'long' });
      await card.waitFor({ timeout: 60_000 });
      const afterReload = patches.filter((p) => p.phase === 'after reload');
      assert.ok(afterReload.length >= 1, 'the upload continued after the reload');
      assert.ok(afterReload[0]!.offset >= size * 0.3, `after the reload the first PATCH starts at the server's offset (${afterReload[0]!.offset} of ${size}), not at zero`);
      assert.equal(new Set([...resumed, ...afterReload].map((p) => p.url)).size, 1, 'one upload session from start to end');
      assert.equal(await page.getByTestId('unfinished-upload').count(), 0);
      assert.equal(await page.evaluate('Object.keys(localStorage).filter((k) => k.startsWith("tus::")).length'), 0, 'a finished upload is forgotten by the browser');

      // The card: the default cover for WAV, the duration, a player that plays.
      await until(page, 'document.querySelector("[data-testid=audio-card] .audio-cover img")?.complete === true', 10_000, 'the cover');
      assert.ok(Number(await card.locator('.audio-cover img').evaluate((img: HTMLImageElement) => img.naturalWidth)) > 0, 'the cover loaded');
      assert.equal(await card.getByTestId('audio-duration').textContent(), '2:30');
      await card.getByTestId('audio-player').evaluate((a: HTMLAudioElement) => ((a.muted = true), a.play()));
      await until(page, 'document.querySelector("[data-testid=audio-card] audio").currentTime > 0.3', 15_000, 'the card player to play');
      await card.getByTestId('audio-player').evaluate((a: HTMLAudioElement) => a.pause());
      await shoot('04-audio-tab');
    }));

  it('an MP3 with its cover art and tags; the audio page plays and seeks (Range)', () =>
    step(async () => {
      assert.ok(admin, 'the first step ran');
      await page.getByTestId('audio-file-input').setInputFiles(await generateAudio('mp3Cover'));
      const card = page.getByTestId('audio-card').filter({ hasText: 'Tagged Title' });
      await card.waitFor({ timeout: 30_000 });
      await card.getByRole('link', { name: 'Tagged Title' }).click();
      await page.getByRole('heading', { name: 'Tagged Title' }).waitFor();
      assert.match((await page.getByTestId('audio-summary').textContent()) ?? '', /Test Artist/);
      await page.getByText('64 kbit/s').waitFor(); // the API's bitrate is in kbps
      await until(page, 'document.querySelector(".audio-art")?.complete === true', 10_000, 'the cover art');
      const art = await page.locator('.audio-art').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
      assert.ok(art[0]! > 0 && art[1]! > 0, 'the embedded cover is shown');
      await shoot('05-audio-page');

      // The long file's page: seek to 100 s and play from there (the media host answers the range request).
      await page.getByRole('link', { name: '← Audio' }).click();
      await page.getByTestId('audio-card').filter({ hasText: 'long' }).getByRole('link').first().click();
      await page.getByRole('heading', { name: 'long' }).waitFor();
      const player = page.getByTestId('audio-player');
      await player.evaluate((a: HTMLAudioElement) => new Promise((resolve) => (a.readyState >= 1 ? resolve(null) : a.addEventListener('loadedmetadata', resolve, { once: true }))));
      await player.evaluate((a: HTMLAudioElement) => ((a.muted = true), (a.currentTime = 100), a.play()));
      await until(page, 'document.querySelector("[data-testid=audio-player]").currentTime > 100.3', 15_000, 'playback past 100 s');
      await player.evaluate((a: HTMLAudioElement) => a.pause());
    }));

  it('the All tab lists images, videos and audio together; each type tab only its own', () =>
    step(async () => {
      assert.ok(admin, 'the first step ran');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Library' }).click();
      await page.getByRole('navigation', { name: 'Media type' }).getByRole('link', { name: 'All' }).click();
      await page.getByRole('button', { name: 'Upload', exact: true }).first().click();
      // one pick, two kinds: each file goes where its type says
      await page.getByTestId('file-input').setInputFiles([path.join(REPO_ROOT, 'test', 'fixtures', 'photo.jpg'), await generateClip('small240')]);
      await until(page, 'document.querySelectorAll("[data-testid=media-tile]").length === 4', 20_000, 'four items in the All tab');
      const deadline = Date.now() + 60_000;
      for (let ready = false; !ready; ) {
        assert.ok(Date.now() < deadline, 'the video was transcoded within a minute');
        const list = await callApi(server, '/v1/videos', 'GET', undefined, admin.token);
        ready = (list['items'] as Array<{ status: string }>).every((v) => v.status === 'ready');
        if (!ready) await new Promise((r) => setTimeout(r, 300));
      }
      await page.reload();
      await until(page, 'document.querySelectorAll("[data-testid=media-tile]").length === 4', 10_000, 'four items after a reload');
      const types = await page.getByTestId('media-tile').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['type']));
      assert.deepEqual(types.slice(2), ['audio', 'audio'], 'newest first');
      assert.deepEqual(types.slice(0, 2).sort(), ['image', 'video'], 'every kind in one list');
      await until(page, '[...document.querySelectorAll("[data-testid=media-tile]")].every((t) => { const i = t.querySelector("img"); return i && i.complete && i.naturalWidth > 0; })', 10_000, 'every tile’s picture (thumbnail, poster, cover)');
      await shoot('06-all-tab');

      await page.getByRole('navigation', { name: 'Media type' }).getByRole('link', { name: 'Images' }).click();
      await page.getByTestId('tile').first().waitFor();
      assert.equal(await page.getByTestId('tile').count(), 1);
      await page.getByRole('navigation', { name: 'Media type' }).getByRole('link', { name: 'Audio' }).click();
      await page.getByTestId('audio-card').first().waitFor();
      assert.equal(await page.getByTestId('audio-card').count(), 2);
      await page.getByRole('navigation', { name: 'Media type' }).getByRole('link', { name: 'Videos' }).click();
      await page.getByTestId('video-card').first().waitFor();
      assert.equal(await page.getByTestId('video-card').count(), 1);
    }));

  it('an upload cut off by a reload and then discarded ends on the server', () =>
    step(async () => {
      assert.ok(admin, 'the first step ran');
      await page.getByRole('navigation', { name: 'Media type' }).getByRole('link', { name: 'Audio' }).click();
      phase = 'discarded';
      await throttle(2 * 1024 * 1024);
      await page.getByTestId('audio-file-input').setInputFiles(otherWav);
      await progressReaches('other.wav', 5);
      await page.reload();
      const entry = page.getByTestId('unfinished-upload').filter({ hasText: 'other.wav' });
      await entry.waitFor();
      await throttle(-1);
      const sessionUrl = patches.find((p) => p.phase === 'discarded')?.url;
      assert.ok(sessionUrl, 'the cut-off upload had sent bytes');
      const head = () => server.fetch(new URL(sessionUrl).pathname, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${admin.token}` } });
      assert.equal((await head()).status, 200, 'before the discard the session exists');
      await page.getByRole('button', { name: 'Discard other.wav' }).click();
      await until(page, 'document.querySelectorAll("[data-testid=unfinished-upload]").length === 0', 10_000, 'the entry to go');
      assert.equal((await head()).status, 404, 'the discarded session is gone from the server');
      assert.equal(await page.evaluate('Object.keys(localStorage).filter((k) => k.startsWith("tus::")).length'), 0);

      // Only the finished files count against the media storage: the two audio files and the video's original.
      const usage = await callApi(server, '/v1/user/me/usage', 'GET', undefined, admin.token);
      const sizes = await Promise.all([longWav, generateAudio('mp3Cover'), generateClip('small240')].map(async (f) => (await stat(await f)).size));
      assert.equal((usage['videos'] as { storageUsed: number }).storageUsed, sizes.reduce((a, b) => a + b, 0));
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    }));

  it('the avatar: uploaded on the Settings page, shown in the sidebar, served publicly', () =>
    step(async () => {
      assert.ok(admin, 'the first step ran');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Choose picture…' }).waitFor();
      await page.getByTestId('avatar-input').setInputFiles(path.join(REPO_ROOT, 'test', 'fixtures', 'photo.jpg'));
      await page.getByText('Avatar updated').waitFor();
      const sidebar = page.getByRole('navigation', { name: 'Main' }).getByTestId('avatar');
      await until(page, 'document.querySelector(".sidebar [data-testid=avatar]")?.naturalWidth > 0', 10_000, 'the sidebar avatar');
      const src = (await sidebar.getAttribute('src')) ?? '';
      assert.match(src, new RegExp(`/v1/user/avatar/${admin.id}`));
      const anonymous = await fetch(new URL(src, server.url));
      assert.equal(anonymous.status, 200, 'the avatar is public');
      assert.equal(anonymous.headers.get('content-type'), 'image/webp');
      await shoot('07-avatar');
      await page.getByRole('button', { name: 'Remove' }).click();
      await page.getByText('Avatar removed').waitFor();
      assert.equal(await page.locator('.sidebar img.avatar').count(), 0);
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    }));
});

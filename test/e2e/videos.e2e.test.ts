// Videos in the dashboard end to end: Debian's chromium (playwright-core) against a REAL server process
// (the built web/dist, the in-process transcode worker, real ffmpeg). A new (trial) account sees the upgrade
// hint; moved to Pro by the admin API, it uploads a generated 4 s clip through the Videos page's file input →
// the card shows the processing state with its bar, then ready with its poster and duration → the video page
// plays it (currentTime advances) with the browser's own HLS where it has one, and through hls.js with that
// hidden → the playback URL works anonymously → made private, the bare URL is refused and a signed link made
// on the page plays. Screenshots go to test-output/screenshots/videos-*.png.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { callApi, e2eSkipReason, launchChromium, prepareDashboard, registerAccount, screenshots, SHOTS, until } from '../support/e2e.js';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../support/server-process.js';

const EMAIL = 'videos-e2e@example.com';
const PASSWORD = 'correct horse 42';
const CLIP = 'clip.mp4';
/** In the page: the player's state, for failure messages. */
const PLAYER_STATE =
  '(() => { const v = document.querySelector("[data-testid=player]"); return v && { src: v.currentSrc, error: v.error && v.error.message, readyState: v.readyState, engine: v.dataset.engine }; })()';

const hasFfmpeg = () => spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
const skip = e2eSkipReason('videos', [!hasFfmpeg() && 'ffmpeg is missing (apt-get install ffmpeg)']);

/** A 4 s 640×360 H.264/AAC MP4: ffmpeg's test pattern and a tone. */
async function makeClip(dir: string): Promise<string> {
  const file = path.join(dir, CLIP);
  await promisify(execFile)('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=4',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-shortest', '-movflags', '+faststart', file,
  ]);
  return file;
}

describe('videos in the dashboard (chromium, real server, real ffmpeg)', { skip, timeout: 120_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tmp: string;
  let clip: string;
  const pageErrors: string[] = [];
  const refused: string[] = []; // media-host and API answers ≥ 400, shown when the test fails

  const call = (pathname: string, method: string, body: unknown, token?: string) => callApi(server, pathname, method, body, token);
  const register = () => registerAccount(server, EMAIL, PASSWORD);
  const shoot = (name: string) => screenshots(page, 'videos', name);

  /** Plays the page's <video> muted and waits until currentTime passes `seconds` (it really advances). */
  async function playsOn(p: Page, seconds: number): Promise<{ engine: string | null; currentTime: number }> {
    const video = p.getByTestId('player');
    await video.waitFor();
    await until(p, 'document.querySelector("[data-testid=player]").dataset.engine !== undefined', 10_000, 'the player to pick an engine');
    await p.evaluate('(() => { const v = document.querySelector("[data-testid=player]"); v.muted = true; return v.play(); })()');
    await until(p, `document.querySelector("[data-testid=player]").currentTime > ${seconds}`, 20_000, `currentTime > ${seconds}`);
    const problem = await p.locator('.player-problem').count();
    assert.equal(problem, 0, 'the player shows no problem');
    return (await p.evaluate('(() => { const v = document.querySelector("[data-testid=player]"); return { engine: v.dataset.engine ?? null, currentTime: v.currentTime }; })()')) as {
      engine: string | null;
      currentTime: number;
    };
  }

  before(async () => {
    await prepareDashboard();
    tmp = await mkdtemp(path.join(tmpdir(), 'picora-videos-e2e-'));
    const env = {
      PICORA_RATE_AUTH_PER_MIN: '10000', PICORA_RATE_READ_PER_MIN: '100000', PICORA_RATE_UPLOAD_PER_MIN: '10000', PICORA_RATE_MUTATION_PER_MIN: '10000',
      PICORA_JOBS_BACKEND: 'table', PICORA_JOBS_POLL_MS: '200', PICORA_TRANSCODE_CONCURRENCY: '1',
    };
    // The server, the clip and the browser start together (the server takes the longest).
    [server, clip, browser] = await Promise.all([
      startServerProcess(env, { label: 'videos server' }),
      makeClip(tmp),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    context.on('response', (r) => r.status() >= 400 && refused.push(`${r.status()} ${r.request().method()} ${r.url()}`));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** Runs a step; when it fails, shows what the page showed (videos-FAILED.png, notices,
   * the player's state, refused requests, the server's last words). */
  async function step(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS, 'videos-FAILED.png'), fullPage: true }).catch(() => {});
      const notes = await page.locator('.toast, [role=alert]').allTextContents().catch(() => []);
      const player = await page.evaluate(PLAYER_STATE).catch(() => null);
      console.log(`# failed at ${page.url()}; notices: ${JSON.stringify(notes)}; player: ${JSON.stringify(player)}; refused: ${JSON.stringify(refused)}`);
      console.log(`# server output:\n${server.output().slice(-4000)}`);
      throw err;
    }
  }

  let videoPage = ''; // the video page's address, once the upload is ready
  let url = ''; // its public playback URL
  let engine = ''; // what the page's player used by default here

  it('trial hint → pro → upload through the page → processing → ready with poster and duration → plays', () =>
    step(async () => {
      // A new account is on the trial plan: the Videos page says what it takes instead of an upload control.
      const admin = await register();
      await page.goto('/app/login');
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Library' }).click();
      await page.getByRole('navigation', { name: 'Media type' }).getByRole('link', { name: 'Videos' }).click();
      await page.getByTestId('video-plan-hint').waitFor();
      assert.equal(await page.getByTestId('video-file-input').count(), 0);
      await shoot('01-trial-hint');

      // Moved to Pro (the first account is the admin), the page offers the upload.
      const pro = await call(`/v1/admin/users/${admin.id}`, 'PATCH', { plan: 'pro' }, admin.token);
      assert.equal(pro['plan'], 'pro');
      await page.reload();
      await page.getByText('No videos yet').waitFor();

      // Every state a card shows is noted as it renders, however briefly (a short clip transcodes quickly).
      await page.evaluate(`(() => {
        window.__seen = new Set();
        const note = () => document.querySelectorAll('[data-testid=video-card], [data-testid=video-upload-card]').forEach((c) => {
          window.__seen.add(c.dataset.testid + ':' + c.dataset.status);
          if (c.querySelector('[role=progressbar]')) window.__seen.add(c.dataset.testid + ':' + c.dataset.status + ':bar');
        });
        new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true });
      })()`);
      await page.getByTestId('video-file-input').setInputFiles(clip);

      const card = page.locator('[data-testid=video-card]');
      await until(page, 'document.querySelector("[data-testid=video-card][data-status=ready]") !== null', 45_000, 'the video card to be ready');
      const seen = (await page.evaluate('[...window.__seen]')) as string[];
      assert.ok(seen.includes('video-card:processing:bar'), `the processing state with its progress bar was shown (saw ${seen.join(', ')})`);
      assert.equal(await card.count(), 1);
      await until(page, 'document.querySelector("[data-testid=video-card] .video-thumb img")?.complete === true', 10_000, 'the poster');
      assert.ok(Number(await card.locator('.video-thumb img').evaluate((img: HTMLImageElement) => img.naturalWidth)) > 0, 'the poster loaded');
      assert.match((await card.getByTestId('video-duration').textContent()) ?? '', /^0:0[345]$/);
      await shoot('02-list-ready');

      // The video page: the browser's own HLS where it has one (Chromium 14x+ says "maybe"), else hls.js.
      await card.getByRole('link', { name: 'clip' }).click();
      await page.getByRole('heading', { name: 'clip' }).waitFor();
      videoPage = page.url();
      engine = (await playsOn(page, 1)).engine ?? '';
      const native = await page.evaluate('document.createElement("video").canPlayType("application/vnd.apple.mpegurl")');
      assert.equal(engine, native ? 'native' : 'hls.js');
      await shoot('03-video-page');

      // The playback URL from the page works without a session (public video), and the embed code names it.
      url = await page.getByLabel('Playback URL (HLS)').inputValue();
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v\/[A-Za-z0-9_-]{21}\/master\.m3u8$/);
      const master = await fetch(url);
      assert.equal(master.status, 200);
      assert.match(await master.text(), /^#EXTM3U/);
      assert.ok((await page.getByLabel('Embed code').inputValue()).includes(JSON.stringify(url)));
    }));

  it('plays through hls.js (Media Source Extensions) where the browser has no HLS of its own', () =>
    step(async () => {
      assert.ok(videoPage, 'the upload step reached the video page');
      // The same page with the browser's native HLS hidden from it, as in Firefox or an older Chrome.
      const mse = await context.newPage();
      const consoleErrors: string[] = [];
      mse.on('pageerror', (e) => pageErrors.push(String(e)));
      mse.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
      await mse.addInitScript(`(() => {
        const real = HTMLMediaElement.prototype.canPlayType;
        HTMLMediaElement.prototype.canPlayType = function (type) { return /mpegurl/i.test(type) ? '' : real.call(this, type); };
      })()`);
      try {
        await mse.goto(videoPage);
        const played = await playsOn(mse, 1).catch(async (err: unknown) => {
          const csp = consoleErrors.find((e) => e.includes('Content Security Policy'));
          if (csp) throw new Error(`the dashboard's Content-Security-Policy blocks the MSE blob: source hls.js plays through (it needs media-src 'self' blob: <media host>): ${csp}`);
          const player = await mse.evaluate(PLAYER_STATE).catch(() => null);
          throw new Error(`${String(err)}; console errors: ${JSON.stringify(consoleErrors)}; player: ${JSON.stringify(player)}`);
        });
        assert.equal(played.engine, 'hls.js');
        assert.ok(await mse.evaluate('document.querySelector("[data-testid=player]").src.startsWith("blob:")'), 'hls.js feeds the element through MSE');
      } finally {
        await mse.close();
      }
    }));

  it('private: the bare URL is refused, a signed link made on the page plays for anyone, the owner still plays; custom poster', () =>
    step(async () => {
      assert.ok(videoPage && url, 'the upload step reached the video page');
      await page.getByRole('switch', { name: 'Public' }).click();
      await page.getByText('The video is now private').waitFor();
      assert.equal((await fetch(url)).status, 401);
      await page.getByRole('button', { name: 'Create signed link' }).click();
      const signed = await page.getByLabel('Signed playback URL').inputValue();
      assert.match(signed, /master\.m3u8\?token=/);
      const signedMaster = await fetch(signed);
      assert.equal(signedMaster.status, 200);
      const rung = /^(?!#)(\S+index\.m3u8\S*)$/m.exec(await signedMaster.text())?.[1] ?? '';
      assert.ok(rung.includes('token='), 'the rung playlist carries the token too');
      assert.equal((await fetch(new URL(rung, signed))).status, 200);
      await shoot('04-video-private-signed');
      // The owner's player switched to the private URL (with its token) and still plays.
      if (engine === 'native') await until(page, 'document.querySelector("[data-testid=player]").currentSrc.includes("token=")', 5_000, 'the tokened source');
      await playsOn(page, 0.5);
      // hls.js (no credentials of its own: every request it makes carries only the token) plays the private video
      const mse = await context.newPage();
      await mse.addInitScript(`(() => {
        const real = HTMLMediaElement.prototype.canPlayType;
        HTMLMediaElement.prototype.canPlayType = function (type) { return /mpegurl/i.test(type) ? '' : real.call(this, type); };
      })()`);
      const requests: string[] = [];
      mse.on('request', (r) => void (r.url().includes('/v/') && requests.push(r.url())));
      try {
        await mse.goto(videoPage);
        const played = await playsOn(mse, 0.5);
        assert.equal(played.engine, 'hls.js');
        const media = requests.filter((u) => /\.(m3u8|m4s|mp4)(\?|$)/.test(u));
        assert.ok(media.length >= 3 && media.every((u) => /[?&]token=/.test(u)), `every playlist and segment request carries the token: ${media.join(' ')}`);
      } finally {
        await mse.close();
      }

      // A custom poster: a photo through the Poster card replaces the frame, under a new URL that loads.
      const before = await page.getByAltText('Current poster').getAttribute('src');
      await page.getByTestId('poster-input').setInputFiles(path.join(REPO_ROOT, 'test', 'fixtures', 'photo.jpg'));
      await page.getByText('Poster updated').waitFor();
      const after = (await page.getByAltText('Current poster').getAttribute('src')) ?? '';
      assert.notEqual(after, before);
      const poster = await fetch(after);
      assert.equal(poster.status, 200);
      assert.equal(poster.headers.get('content-type'), 'image/jpeg');
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    }));
});

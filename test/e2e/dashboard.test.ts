// The dashboard end to end: Debian's chromium (playwright-core) against a REAL server process serving the
// built web/dist. Register with the emailed code → drop three files → grid → copy the URL and fetch it →
// make one private (anonymous fetch refused) → create a key, see it once, revoke it → usage shows the bytes.
// Screenshots of every page at desktop (1280×800) and phone (390×844) widths go to test-output/screenshots/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../support/server-process.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(REPO_ROOT, 'test-output', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const EMAIL = 'e2e@example.com';
const PASSWORD = 'correct horse 42';
const FIXTURES = [['photo.jpg', 'image/jpeg'], ['alpha.png', 'image/png'], ['animated.gif', 'image/gif']].map(([name, type]) => ({ name: name!, type: type! }));

const isCI = process.env.CI === 'true' || process.env.CI === '1';
function chromiumSkip(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`;
  if (isCI) throw new Error(`${reason}: CI=true, so the dashboard e2e tests must run`);
  console.log(`# SKIP dashboard e2e: ${reason}`);
  return reason;
}
const skip = chromiumSkip();

/** In the page: a DataTransfer holding real File objects, dropped on the page (no input[type=file]). */
function dropScript(files: Array<{ name: string; type: string; b64: string }>): string {
  return `(() => {
    const dt = new DataTransfer();
    for (const f of ${JSON.stringify(files)}) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    const target = document.querySelector('main') || document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
    return dt.files.length;
  })()`;
}

describe('dashboard (chromium, real server)', { skip, timeout: 180_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  // a webhook receiver on loopback, let through to the server by PICORA_FETCH_ALLOW_HOSTS
  let receiver: Server;
  const hooks: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

  const api = async (pathname: string, init: RequestInit = {}) => {
    const res = await server.fetch(pathname, init);
    return { status: res.status, body: (await res.json().catch(() => null)) as { data?: Record<string, unknown> } | null };
  };

  /** Polls an expression in the page (page.evaluate: CDP, not eval, so the app's CSP stays on). */
  async function until(expression: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await page.evaluate(expression))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for: ${expression}`);
      await page.waitForTimeout(100);
    }
  }

  async function settle(): Promise<void> {
    await page.waitForLoadState('networkidle');
    await until('[...document.querySelectorAll(".media img")].every((i) => i.complete)', 10_000).catch(() => {});
    await page.waitForTimeout(350); // fades
  }

  /** The page at desktop and phone widths, the whole scroll height: the window is made as tall as the page,
   * so fixed and sticky parts (tab bar, sidebar) sit where a person sees them. */
  async function shoot(name: string): Promise<void> {
    await page.evaluate('document.querySelectorAll(".toast button").forEach((b) => b.click())');
    for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      await page.setViewportSize(size);
      await settle();
      const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
      if (height > size.height) await page.setViewportSize({ width: size.width, height });
      await settle();
      await page.screenshot({ path: path.join(SHOTS, `${name}-${label}.png`) });
    }
    await page.setViewportSize(DESKTOP);
  }

  async function codeFromOutbox(email: string): Promise<string> {
    const file = path.join(server.dataDir, 'outbox.jsonl');
    for (let i = 0; i < 100; i++) {
      const text = existsSync(file) ? await readFile(file, 'utf8') : '';
      const mail = text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { to: string; text: string }).filter((m) => m.to === email).pop();
      const code = mail && /\b(\d{6})\b/.exec(mail.text)?.[1];
      if (code) return code;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no code mailed to ${email}`);
  }

  before(async () => {
    if (!existsSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html'))) {
      const built = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: REPO_ROOT, stdio: 'inherit' });
      assert.equal(built.status, 0, 'npm run build:web failed');
    }
    await mkdir(SHOTS, { recursive: true });
    const generous = { PICORA_RATE_AUTH_PER_MIN: '10000', PICORA_RATE_READ_PER_MIN: '100000', PICORA_RATE_UPLOAD_PER_MIN: '10000', PICORA_RATE_MUTATION_PER_MIN: '10000' };
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverPort = (receiver.address() as AddressInfo).port;
    server = await startServerProcess({ ...generous, PICORA_FETCH_ALLOW_HOSTS: `127.0.0.1:${receiverPort}`, PICORA_JOBS_POLL_MS: '100' }, { label: 'dashboard server' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: DESKTOP, baseURL: server.url, colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  });

  it('serves the app at /app/ (redirect from /, SPA fallback, cache headers)', async () => {
    const root = await server.fetch('/', { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/app/');
    const deep = await server.fetch('/app/images/whatever');
    assert.equal(deep.status, 200);
    assert.equal(deep.headers.get('cache-control'), 'no-cache');
    const asset = /src="(\/app\/assets\/[^"]+\.js)"/.exec(await deep.text())?.[1];
    assert.ok(asset, 'index.html names its script');
    const js = await server.fetch(asset);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    assert.equal((await server.fetch('/app/assets/missing-123.js')).status, 404);
    assert.match(deep.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  it('register → drop three files → grid → copy URL → private → key once → usage', async () => {
    try {
      await flow();
    } catch (err) {
      // What the page showed when it went wrong: a screenshot, the address and any notices.
      await page.screenshot({ path: path.join(SHOTS, 'FAILED.png'), fullPage: true }).catch(() => {});
      const notes = await page.locator('.toast, [role=alert]').allTextContents().catch(() => []);
      console.log(`# failed at ${page.url()}; notices: ${JSON.stringify(notes)}\n# server output:\n${server.output().slice(-4000)}`);
      throw err;
    }
  });

  async function flow(): Promise<void> {
    // Signed out: the sign-in pages.
    await page.goto('/app/');
    await page.waitForURL(/\/app\/login/);
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    await shoot('01-login');
    await page.goto('/app/forgot');
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await shoot('02-forgot-password');

    // Register with the code from the outbox.
    await page.goto('/app/register');
    await page.getByLabel('Email').fill(EMAIL);
    await shoot('03-register');
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByLabel('Verification code').fill(await codeFromOutbox(EMAIL));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Your library is empty').waitFor();
    await shoot('04-library-empty');

    // Three files dropped on the page, each with its own progress bar, then in the grid.
    const files = await Promise.all(
      FIXTURES.map(async (f) => ({ ...f, b64: (await readFile(path.join(REPO_ROOT, 'test', 'fixtures', f.name))).toString('base64') })),
    );
    assert.equal(await page.evaluate(dropScript(files)), 3);
    // all three went through: the panel says so and folds itself away (issue 12, defect 5)
    await until('document.querySelector("[aria-label=Uploads] [role=status]")?.textContent === "3 uploads complete"', 30_000);
    await until('document.querySelectorAll("[data-testid=tile]").length === 3');
    const grid = page.getByRole('list', { name: 'Images' });
    for (const f of FIXTURES) await grid.getByRole('link', { name: f.name, exact: true }).waitFor();
    await shoot('05-library-uploaded');

    // The same bytes again: "already in your library", no fourth tile; a text file: what to upload instead.
    await page.getByRole('button', { name: 'Clear' }).click();
    const text = { name: 'notes.txt', type: 'text/plain', b64: (await readFile(path.join(REPO_ROOT, 'test', 'fixtures', 'not-image.txt'))).toString('base64') };
    await page.evaluate(dropScript([files[0]!, text]));
    await page.getByText('Already in your library').waitFor();
    await page.getByText('This file type is not supported. Use JPEG, PNG').waitFor();
    assert.equal(await page.locator('[data-testid=tile]').count(), 3);
    await page.getByRole('button', { name: 'Clear' }).click();

    // Search narrows the grid.
    await page.getByLabel('Search images').fill('alpha');
    await until('document.querySelectorAll("[data-testid=tile]").length === 1');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await until('document.querySelectorAll("[data-testid=tile]").length === 3');

    // Detail: copy the URL (from the UI, through the clipboard) and fetch it anonymously.
    await grid.getByRole('link', { name: 'photo.jpg', exact: true }).click();
    await page.getByRole('heading', { name: 'photo.jpg' }).waitFor();
    const url = await page.getByLabel('URL', { exact: true }).inputValue();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\.jpg$/);
    await page.locator('.copy-field', { has: page.getByLabel('URL', { exact: true }) }).getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied ✓' }).first().waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), url);
    const publicFetch = await fetch(url);
    assert.equal(publicFetch.status, 200);
    assert.equal(publicFetch.headers.get('content-type'), 'image/jpeg');
    await shoot('06-image-detail');

    // Private: the same URL is refused without a session.
    const toggle = page.getByRole('switch', { name: 'Public' });
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');
    await toggle.click();
    await page.getByText('The image is now private').waitFor();
    assert.equal(await toggle.getAttribute('aria-checked'), 'false');
    assert.equal((await fetch(url)).status, 401);
    await page.getByText('This image is private: these links work only for you').waitFor();
    await shoot('07-image-detail-private');

    // API keys: created, shown once, works, revoked, refused.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('e2e key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key').textContent())?.trim() ?? '';
    assert.match(key, /^sk_live_/);
    assert.equal((await api('/v1/auth/verify', { headers: { authorization: `Bearer ${key}` } })).status, 200);
    await shoot('08-api-keys-created');
    await page.getByRole('button', { name: 'I’ve saved it' }).click();
    await page.getByTestId('key-row').first().waitFor();
    assert.ok(!(await page.content()).includes(key), 'the secret is not shown again');
    await shoot('09-api-keys');
    await page.getByRole('button', { name: 'Revoke e2e key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('No API keys yet').waitFor();
    assert.equal((await api('/v1/auth/verify', { headers: { authorization: `Bearer ${key}` } })).status, 401);

    // Usage: the stored bytes are the three images' sizes.
    const login = await api('/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
    const token = String(login.body?.data?.['accessToken']);
    const list = await api('/v1/images?limit=10', { headers: { authorization: `Bearer ${token}` } });
    const items = (list.body?.data?.['items'] ?? []) as Array<{ sizeBytes: number }>;
    const bytes = items.reduce((n, i) => n + i.sizeBytes, 0);
    assert.equal(items.length, 3);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
    const shown = (await page.getByTestId('storage-bytes').textContent()) ?? '';
    assert.equal(Number(shown.replace(/\D/g, '')), bytes, `usage shows ${shown}, the images hold ${bytes} bytes`);
    await shoot('10-usage');

    // Infinite scroll: 31 more images (through the API) make two pages of the library.
    for (let i = 0; i < 31; i++) {
      const form = new FormData();
      const png = await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: { r: 8 * i, g: 120, b: 200 - 5 * i } } }).png().toBuffer();
      form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), `generated-${i}.png`);
      assert.equal((await server.fetch('/v1/images', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })).status, 201);
    }
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Library' }).click();
    await until('document.querySelectorAll("[data-testid=tile]").length === 30');
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    await until('document.querySelectorAll("[data-testid=tile]").length === 34');

    // Multi-select and batch delete.
    await page.getByRole('button', { name: 'Select', exact: true }).click();
    for (const name of ['alpha.png', 'animated.gif']) {
      await grid.getByRole('checkbox', { name: `Select ${name}` }).focus(); // by keyboard: nothing can cover it
      await page.keyboard.press('Space');
    }
    await page.getByText('2 images selected').waitFor();
    await shoot('11-library-selecting');
    await page.getByRole('region', { name: 'Selection' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await until('document.querySelectorAll("[data-testid=tile]").length === 32');
    await page.getByText('32 images').waitFor();

    // The first account is the admin; the other pages render.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('cell', { name: EMAIL }).waitFor();
    await shoot('12-admin');
    await page.getByLabel(`Plan of ${EMAIL}`).selectOption('pro');
    await page.getByText(`${EMAIL} is now on pro`).waitFor();
    const me = await api('/v1/user/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.body?.data?.['plan'], 'pro');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    await shoot('13-settings');

    // Webhooks: an endpoint on loopback, its secret shown once, a test delivery it can verify, the delivery log.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('No webhooks yet').waitFor();
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/picora`;
    await page.getByLabel('Endpoint URL').fill(hookUrl);
    await page.getByLabel('Description (optional)').fill('e2e receiver');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
    assert.match(secret, /^whsec_/);
    await page.getByRole('button', { name: 'I’ve saved it' }).click();
    await page.getByText(hookUrl).waitFor();
    assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText('Test delivery queued').waitFor();
    for (let i = 0; i < 100 && hooks.length === 0; i++) await page.waitForTimeout(100);
    const got = hooks[0];
    assert.ok(got, 'the receiver got the test delivery');
    assert.equal(got.headers['picora-event'], 'webhook.test');
    const sig = Object.fromEntries(String(got.headers['picora-signature']).split(',').map((kv) => kv.split('=') as [string, string]));
    assert.equal(sig['v1'], createHmac('sha256', secret).update(`${sig['t']}.${got.body}`).digest('hex'), 'signed with the secret the page showed');
    for (let i = 0; i < 50; i++) {
      const row = page.getByText('Delivered (HTTP 204)');
      if (await row.count()) break;
      const refresh = page.getByRole('button', { name: 'Refresh' });
      if (await refresh.count()) await refresh.click();
      else await page.getByRole('button', { name: 'Deliveries' }).click();
      await page.waitForTimeout(200);
    }
    await page.getByText('Delivered (HTTP 204)').waitFor();
    await shoot('14-webhooks');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Library' }).click();
    await page.getByRole('button', { name: 'Upload', exact: true }).first().click();
    await page.getByRole('heading', { name: 'Upload', exact: true }).waitFor();
    await shoot('15-upload-dialog');

    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  }
});

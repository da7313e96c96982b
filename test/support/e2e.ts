// What the dashboard's Chromium tests share: Debian's chromium through playwright-core (skipped with a printed
// reason where it is missing, required under CI=true), the built dashboard, polling a page expression, an
// account made through the public API, and screenshots at desktop and phone widths.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT, type ServerProcess } from './server-process.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = path.join(REPO_ROOT, 'test-output', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const isCI = process.env.CI === 'true' || process.env.CI === '1';

/** Why the suite cannot run here (printed), or undefined; under CI a missing tool fails instead. */
export function e2eSkipReason(suite: string, extra: Array<string | false> = []): string | undefined {
  const missing = [!existsSync(CHROMIUM) && `${CHROMIUM} is missing (apt-get install chromium)`, ...extra].filter(Boolean).join('; ');
  if (!missing) return undefined;
  if (isCI) throw new Error(`${missing}: CI=true, so the ${suite} e2e test must run`);
  console.log(`# SKIP ${suite} e2e: ${missing}`);
  return missing;
}

/** Builds web/dist when it is missing (a fresh clone) and makes the screenshot folder. */
export async function prepareDashboard(): Promise<void> {
  if (!existsSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html'))) {
    const built = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: REPO_ROOT, stdio: 'inherit' });
    assert.equal(built.status, 0, 'npm run build:web failed');
  }
  await mkdir(SHOTS, { recursive: true });
}

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

/** Polls a page expression until it is truthy. */
export async function until(p: Page, expression: string, timeoutMs: number, what = expression): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await p.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await p.waitForTimeout(100);
  }
}

/** A JSON call to the server's public API; asserts success and answers `data`. */
export async function callApi(server: ServerProcess, pathname: string, method: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await server.fetch(pathname, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const json = (await res.json()) as { data?: Record<string, unknown> };
  assert.ok(res.ok, `${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`);
  return json.data ?? {};
}

/** A new account through the public API (the code from the server's outbox); the first one is the admin. */
export async function registerAccount(server: ServerProcess, email: string, password: string): Promise<{ token: string; id: string }> {
  await callApi(server, '/v1/auth/send-code', 'POST', { email, type: 'register' });
  const file = path.join(server.dataDir, 'outbox.jsonl');
  let code: string | undefined;
  for (let i = 0; i < 100 && !code; i++) {
    const text = existsSync(file) ? await readFile(file, 'utf8') : '';
    code = /\b(\d{6})\b/.exec(text.trim().split('\n').filter((l) => l.includes(email)).pop() ?? '')?.[1];
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(code, `no code mailed to ${email}`);
  const made = await callApi(server, '/v1/auth/register', 'POST', { email, password, code });
  return { token: String(made['accessToken']), id: String((made['user'] as { id: string }).id) };
}

/** The page at desktop and phone widths, whole height, into test-output/screenshots/PREFIX-NAME-*.png. */
export async function screenshots(page: Page, prefix: string, name: string): Promise<void> {
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(SHOTS, `${prefix}-${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

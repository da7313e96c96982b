// Issue 11: GET /v1/api-keys/{id}/tool-configs. Each config is replayed exactly as its tool uses it, against the
// real app listening on loopback (PICORA_PUBLIC_URL points there): PicGo's web-uploader and Moraya as HTTP
// requests built from their fields, ShareX with its `{json:…}` templates, Typora's command and the Flameshot
// script run by sh (with a fake `flameshot` and clipboard on PATH), the curl line run as is. Every URL a tool
// reads must serve the image it sent. Binaries missing locally skip their part (CI=true fails instead).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { bearer, createKey, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { loadContract } from '../support/openapi.js';
import { freePort } from '../support/server-process.js';
import { skipUnless, type Probe } from '../support/services.js';
import type { ToolConfigs } from '../../src/domain/api-keys/tool-configs.js';

const run = promisify(execFile);
const PLACEHOLDER = 'sk_live_YOUR_KEY';
type Json = Record<string, unknown>;

async function binary(name: string): Promise<Probe<string>> {
  try {
    const { stdout } = await run('sh', ['-c', `command -v ${name}`]);
    return { ok: true, value: stdout.trim() };
  } catch {
    return { ok: false, reason: `no ${name} on PATH` };
  }
}
const needSh = skipUnless('sh', await binary('sh'));
const needCurl = needSh ?? skipUnless('curl', await binary('curl'));

/** A PNG `width` px wide: each upload is a different image, and its width tells which one a URL serves. */
const png = (width: number) => sharp({ create: { width, height: 20, channels: 3, background: { r: width, g: 90, b: 160 } } }).png().toBuffer();

/** A dotted path with optional [n] indexes (`data.url`, `files[0].url`): PicGo's jsonPath and ShareX's {json:…}. */
function at(value: unknown, dotted: string): unknown {
  return dotted.split('.').flatMap((seg) => seg.split(/\[(\d+)\]/).filter(Boolean)).reduce<unknown>((v, k) => (v as Json | undefined)?.[k], value);
}

/** ShareX's template syntax, the part a .sxcu can use on a JSON answer: `{json:path}` and `{response}`. */
const sharexTemplate = (template: string, body: string) =>
  template.replace(/\{json:([^}]+)\}/g, (_m, p: string) => String(at(JSON.parse(body), p) ?? '')).replace(/\{response\}/g, body);

function form(field: string, bytes: Buffer, filename: string, extra: Json = {}): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(extra)) f.append(k, String(v));
  f.append(field, new Blob([new Uint8Array(bytes)], { type: 'image/png' }), filename);
  return f;
}

describe('uploader tool configs (GET /v1/api-keys/{id}/tool-configs)', { timeout: 120_000 }, () => {
  let t: TestApp;
  let base: string;
  let s: Session;
  let key: { id: string; key: string };
  let configs: ToolConfigs; // the real key filled in, as the dashboard does right after creating it
  let dir: string;

  /** The image a URL serves, over HTTP like any viewer: 200, image/*, and the width of the PNG that was sent. */
  async function assertServes(url: unknown, width: number, tool: string): Promise<void> {
    assert.equal(typeof url, 'string', `${tool}: no URL`);
    assert.ok((url as string).startsWith(`${base}/`), `${tool}: ${String(url)} is not on this instance`);
    const res = await fetch(url as string);
    assert.equal(res.status, 200, `${tool}: GET ${String(url)} → ${res.status}`);
    assert.match(res.headers.get('content-type') ?? '', /^image\//, tool);
    assert.equal((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).width, width, `${tool}: ${String(url)} serves another image`);
  }

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await startTestApp(undefined, { env: { PICORA_PUBLIC_URL: base } });
    await t.app.listen({ host: '127.0.0.1', port });
    dir = await mkdtemp(path.join(tmpdir(), 'picora-tools-'));
    s = await registerUser(t);
    key = await createKey(t, s, { name: 'tools' });
    const res = await t.app.inject({ url: `/v1/api-keys/${key.id}/tool-configs`, headers: bearer(s.accessToken) });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes(key.key), 'the plaintext is never in the answer');
    configs = JSON.parse(res.body.replaceAll(PLACEHOLDER, key.key)).data as ToolConfigs;
  });
  after(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers the SPEC shapes for this instance, with the placeholder and the contract body', async () => {
    const res = await t.app.inject({ url: `/v1/api-keys/${key.id}/tool-configs`, headers: bearer(s.accessToken) });
    const data = (res.json() as { data: ToolConfigs }).data;
    const url = `${base}/v1/images`;
    const auth = { Authorization: `Bearer ${PLACEHOLDER}` };
    assert.deepEqual(data.picgo, {
      picBed: { uploader: 'web-uploader', current: 'web-uploader', 'web-uploader': { url, paramName: 'file', jsonPath: 'data.url', customHeader: JSON.stringify(auth), customBody: '{}' } },
      picgoPlugins: { 'picgo-plugin-web-uploader': true },
    });
    assert.deepEqual(data.moraya, { name: 'Picora', url, method: 'POST', headers: auth, bodyType: 'multipart', fileField: 'file', responseUrlPath: 'data.url' });
    assert.deepEqual(data.sharex, {
      Version: '14.0.0', Name: `Picora (127.0.0.1:${new URL(base).port})`, DestinationType: 'ImageUploader, FileUploader', RequestMethod: 'POST',
      RequestURL: url, Headers: auth, Body: 'MultipartFormData', FileFormName: 'file', URL: '{json:data.url}', ErrorMessage: '{json:error}',
    });
    for (const script of [data.typora.script, data.flameshot]) assert.ok(script.includes(`starts with ${key.key.slice(0, 12)}`), 'the key prefix as a hint');
    const contract = loadContract();
    if ('validator' in contract) contract.validator.check('GET', '/v1/api-keys/{id}/tool-configs', 200, res.json());
  });

  it('PicGo web-uploader: multipart `paramName`, customHeader/customBody JSON strings, User-Agent PicGo, URL at jsonPath', async () => {
    const c = configs.picgo.picBed['web-uploader'];
    const headers = { contentType: 'multipart/form-data', 'User-Agent': 'PicGo', ...(JSON.parse(c.customHeader) as Record<string, string>) };
    const res = await fetch(c.url, { method: 'POST', headers, body: form(c.paramName, await png(101), 'picgo.png', JSON.parse(c.customBody) as Json) });
    assert.ok(res.ok, `PicGo: ${res.status}`);
    await assertServes(c.jsonPath.split('.').reduce<unknown>((v, k) => (v as Json)[k], await res.json()), 101, 'PicGo');
  });

  it('Moraya: method, url, headers, multipart fileField, URL at responseUrlPath', async () => {
    const c = configs.moraya;
    assert.equal(c.bodyType, 'multipart');
    const res = await fetch(c.url, { method: c.method, headers: c.headers, body: form(c.fileField, await png(102), 'moraya.png') });
    assert.ok(res.ok, `Moraya: ${res.status}`);
    await assertServes(at(await res.json(), c.responseUrlPath), 102, 'Moraya');
  });

  it('ShareX .sxcu: RequestMethod to RequestURL, MultipartFormData with FileFormName, URL from {json:data.url}; ErrorMessage on failure', async () => {
    const c = configs.sharex;
    assert.equal(c.Body, 'MultipartFormData');
    const res = await fetch(c.RequestURL, { method: c.RequestMethod, headers: c.Headers, body: form(c.FileFormName, await png(103), 'sharex.png') });
    assert.ok(res.ok, `ShareX: ${res.status}`);
    await assertServes(sharexTemplate(c.URL, await res.text()), 103, 'ShareX');
    const refused = await fetch(c.RequestURL, { method: c.RequestMethod, headers: { Authorization: 'Bearer sk_live_wrong' }, body: form(c.FileFormName, await png(99), 'x.png') });
    assert.equal(refused.status, 401);
    assert.match(sharexTemplate(c.ErrorMessage, await refused.text()), /\w+/, 'ShareX shows the error text');
  });

  it('Typora: the custom command with two image paths appended prints "Upload Success:" and their URLs in order', { skip: needCurl }, async () => {
    const a = path.join(dir, 'first shot, 1.png'); // a space and a comma: quoting through sh and curl -F
    const b = path.join(dir, 'second;2.png');
    await writeFile(a, await png(104));
    await writeFile(b, await png(105));
    const quote = (p: string) => `"${p}"`; // Typora appends each path double-quoted
    const { stdout } = await run('sh', ['-c', `${configs.typora.command} ${quote(a)} ${quote(b)}`], { timeout: 30_000 });
    const lines = stdout.trimEnd().split('\n');
    const i = lines.indexOf('Upload Success:');
    assert.ok(i >= 0, `Typora: no "Upload Success:" in ${stdout}`);
    assert.equal(lines.length - i - 1, 2, stdout);
    await assertServes(lines[i + 1], 104, 'Typora #1');
    await assertServes(lines[i + 2], 105, 'Typora #2');
    // the script form does the same
    const script = path.join(dir, 'picora-typora.sh');
    await writeFile(script, configs.typora.script);
    const viaScript = await run('sh', [script, a], { timeout: 30_000 });
    assert.deepEqual(viaScript.stdout.trimEnd().split('\n'), ['Upload Success:', lines[i + 1]]);
  });

  it('Flameshot: the script takes the shot (flameshot gui -r), uploads it and puts the URL on the clipboard', { skip: needCurl }, async () => {
    const bin = await mkdtemp(path.join(dir, 'bin-'));
    const shot = path.join(dir, 'shot.png');
    const clip = path.join(dir, 'clipboard.txt');
    await writeFile(shot, await png(106));
    await writeFile(path.join(bin, 'flameshot'), `#!/bin/sh\n[ "$1 $2" = "gui -r" ] || exit 2\ncat '${shot}'\n`);
    await writeFile(path.join(bin, 'xclip'), `#!/bin/sh\n[ "$1 $2" = "-selection clipboard" ] || exit 2\ncat > '${clip}'\n`);
    await Promise.all(['flameshot', 'xclip'].map((f) => chmod(path.join(bin, f), 0o755)));
    const script = path.join(dir, 'picora-flameshot.sh');
    await writeFile(script, configs.flameshot);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, WAYLAND_DISPLAY: '', TMPDIR: dir };
    const { stdout } = await run('sh', [script], { env, timeout: 30_000 });
    const url = stdout.trim();
    assert.equal(await readFile(clip, 'utf8'), url, 'the URL is on the clipboard');
    await assertServes(url, 106, 'Flameshot');
  });

  it('curl: the one-liner uploads ./image.png and answers the envelope with data.url', { skip: needCurl }, async () => {
    await writeFile(path.join(dir, 'image.png'), await png(107));
    const { stdout } = await run('sh', ['-c', configs.curl], { cwd: dir, timeout: 30_000 });
    await assertServes(at(JSON.parse(stdout), 'data.url'), 107, 'curl');
  });

  it("answers data: null for another account's key, a revoked key and an unknown id; 401 without auth; 403 for an API key", async () => {
    const other = await registerUser(t);
    const theirs = await createKey(t, other, { name: 'theirs' });
    const revoked = await createKey(t, s, { name: 'revoked' });
    await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${revoked.id}`, headers: bearer(s.accessToken) });
    const contract = loadContract();
    for (const id of [theirs.id, revoked.id, 'AAAAAAAAAAAAAAAAAAAAA', 'nope']) {
      const res = await t.app.inject({ url: `/v1/api-keys/${id}/tool-configs`, headers: bearer(s.accessToken) });
      assert.equal(res.statusCode, 200, `${id}: ${res.body}`);
      assert.deepEqual(res.json(), { success: true, data: null });
      if ('validator' in contract) contract.validator.check('GET', '/v1/api-keys/{id}/tool-configs', 200, res.json());
    }
    const anonymous = await t.app.inject({ url: `/v1/api-keys/${key.id}/tool-configs` });
    assert.equal(anonymous.statusCode, 401);
    if ('validator' in contract) contract.validator.check('GET', '/v1/api-keys/{id}/tool-configs', 401, anonymous.json());
    const viaKey = await t.app.inject({ url: `/v1/api-keys/${key.id}/tool-configs`, headers: bearer(key.key) });
    assert.equal(viaKey.statusCode, 403, 'a key cannot read key configs (session only, like all of /v1/api-keys)');
  });
});

// Conformance: JSON bodies of the spine's endpoints validated against ../shared/picora/openapi.json.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, createKey, lastCode, refreshCookieOf, registerUser, startTestApp, type TestApp } from '../support/app.js';
import { readFile } from 'node:fs/promises';
import { multipart } from '../support/multipart.js';
import { loadContract } from '../support/openapi.js';
import { generateClip } from '../support/video-clips.js';
import { skipUnless } from '../support/services.js';

const contract = loadContract();
const skip = skipUnless('the OpenAPI contract', 'skip' in contract ? { ok: false, reason: contract.skip } : { ok: true, value: null });

describe('responses conform to the public OpenAPI contract', { skip }, () => {
  let t: TestApp;
  const checked: string[] = [];
  const noSchema: string[] = [];
  const check = (method: string, apiPath: string, res: { statusCode: number; json(): unknown }) => {
    if (skip || 'skip' in contract) return;
    const label = `${method} ${apiPath} ${res.statusCode}`;
    (contract.validator.check(method, apiPath, res.statusCode, res.json()) ? checked : noSchema).push(label);
  };

  /**
   * The contract gives some successes as a bare object (GET /v1/videos/{id}: `Video`) while CONTRACT §1, which
   * wins, wraps every success in { success, data }: for those the `data` is what is checked.
   */
  const checkData = (method: string, apiPath: string, res: { statusCode: number; json(): unknown }) => {
    assert.equal((res.json() as { success?: unknown }).success, true, `${method} ${apiPath}: not a success envelope`);
    check(method, apiPath, { statusCode: res.statusCode, json: () => (res.json() as { data: unknown }).data });
  };

  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    console.log(`# conformance: ${checked.length} responses validated; no schema in the contract for: ${noSchema.join(', ') || 'none'}`);
    await t?.close();
  });

  it('the validator itself refuses bodies that break the contract', () => {
    if ('skip' in contract) return;
    assert.throws(() => contract.validator.check('GET', '/v1/user/me', 200, { success: true, data: { id: 'x' } }), /breaks the contract/);
    assert.throws(() => contract.validator.check('POST', '/v1/api-keys', 401, { success: true }), /breaks the contract/);
  });

  it('auth endpoints', async () => {
    const email = `conf-${Date.now()}@example.com`;
    check('POST', '/v1/auth/send-code', await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email, type: 'register' } }));
    const code = await lastCode(t, email);
    const reg = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'conform-pass-1', code } });
    check('POST', '/v1/auth/register', reg);
    check('POST', '/v1/auth/register', await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'conform-pass-1', code } }));
    check('POST', '/v1/auth/register', await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: 'x' } }));
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: 'conform-pass-1' } });
    check('POST', '/v1/auth/login', login);
    check('POST', '/v1/auth/login', await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: 'wrong-pass-1' } }));
    const refreshed = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', cookies: { refresh_token: refreshCookieOf(login) } });
    check('POST', '/v1/auth/refresh', refreshed);
    check('POST', '/v1/auth/refresh', await t.app.inject({ method: 'POST', url: '/v1/auth/refresh' }));
    const token = (reg.json() as { data: { accessToken: string } }).data.accessToken;
    check('GET', '/v1/auth/verify', await t.app.inject({ url: '/v1/auth/verify', headers: bearer(token) }));
    check('GET', '/v1/auth/verify', await t.app.inject({ url: '/v1/auth/verify' }));
    check('POST', '/v1/auth/forgot-password', await t.app.inject({ method: 'POST', url: '/v1/auth/forgot-password', payload: { email } }));
    check('POST', '/v1/auth/reset-password', await t.app.inject({ method: 'POST', url: '/v1/auth/reset-password', payload: { email, code: '000000', newPassword: 'abcdefg12' } }));
    check('POST', '/v1/auth/logout', await t.app.inject({ method: 'POST', url: '/v1/auth/logout', cookies: { refresh_token: refreshCookieOf(refreshed) } }));
    check('GET', '/health', await t.app.inject({ url: '/health' }));
  });

  it('user and API-key endpoints', async () => {
    const s = await registerUser(t);
    check('GET', '/v1/user/me', await t.app.inject({ url: '/v1/user/me', headers: bearer(s.accessToken) }));
    check('GET', '/v1/user/me', await t.app.inject({ url: '/v1/user/me' }));
    check('PATCH', '/v1/user/me', await t.app.inject({ method: 'PATCH', url: '/v1/user/me', headers: bearer(s.accessToken), payload: { nickname: 'Ana' } }));
    check('PATCH', '/v1/user/me', await t.app.inject({ method: 'PATCH', url: '/v1/user/me', headers: bearer(s.accessToken), payload: { locale: 'xx' } }));
    check('POST', '/v1/user/me/change-password', await t.app.inject({ method: 'POST', url: '/v1/user/me/change-password', headers: bearer(s.accessToken), payload: { oldPassword: s.password, newPassword: 'changed-pass-2' } }));
    const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(s.accessToken), payload: { name: 'PicGo' } });
    check('POST', '/v1/api-keys', created);
    const key = (created.json() as { data: { id: string; key: string } }).data;
    await createKey(t, s);
    check('GET', '/v1/api-keys', await t.app.inject({ url: '/v1/api-keys', headers: bearer(s.accessToken) }));
    check('GET', '/v1/auth/verify', await t.app.inject({ url: '/v1/auth/verify', headers: bearer(key.key) }));
    check('PATCH', '/v1/api-keys/{id}', await t.app.inject({ method: 'PATCH', url: `/v1/api-keys/${key.id}`, headers: bearer(s.accessToken), payload: { name: 'renamed' } }));
    check('PATCH', '/v1/api-keys/{id}', await t.app.inject({ method: 'PATCH', url: '/v1/api-keys/AAAAAAAAAAAAAAAAAAAAA', headers: bearer(s.accessToken), payload: { name: 'renamed' } }));
    check('DELETE', '/v1/api-keys/{id}', await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: bearer(s.accessToken) }));
    check('POST', '/v1/api-keys', await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(s.accessToken), payload: {} }));
    check('DELETE', '/v1/user/me', await t.app.inject({ method: 'DELETE', url: '/v1/user/me', headers: bearer(s.accessToken) }));
    assert.ok(checked.length >= 20, `validated ${checked.length} responses`);
  });

  it('video endpoints (no transcode runs here: the video stays processing)', async () => {
    const pro = await registerUser(t);
    const trial = await registerUser(t);
    await t.deps.db.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', pro.userId).execute();
    const clip = async () => multipart([{ name: 'title', value: 'Clip' }, { name: 'file', filename: 'clip.mp4', data: await readFile(await generateClip('small240')) }]);
    const up = async (token: string) => {
      const body = await clip();
      return t.app.inject({ method: 'POST', url: '/v1/videos', headers: { ...body.headers, ...bearer(token) }, payload: body.payload });
    };
    const created = await up(pro.accessToken);
    assert.equal(created.statusCode, 202, created.body);
    check('POST', '/v1/videos', created);
    check('POST', '/v1/videos', await up(trial.accessToken));
    const id = (created.json() as { data: { videoId: string } }).data.videoId;
    check('GET', '/v1/videos', await t.app.inject({ url: '/v1/videos', headers: bearer(pro.accessToken) }));
    check('GET', '/v1/videos', await t.app.inject({ url: '/v1/videos' }));
    checkData('GET', '/v1/videos/{id}', await t.app.inject({ url: `/v1/videos/${id}`, headers: bearer(pro.accessToken) }));
    check('GET', '/v1/videos/{id}', await t.app.inject({ url: '/v1/videos/AAAAAAAAAAAAAAAAAAAAA', headers: bearer(pro.accessToken) }));
    check('GET', '/v1/videos/{id}/status', await t.app.inject({ url: `/v1/videos/${id}/status`, headers: bearer(pro.accessToken) }));
    check('PATCH', '/v1/videos/{id}', await t.app.inject({ method: 'PATCH', url: `/v1/videos/${id}`, headers: bearer(pro.accessToken), payload: { title: 'Renamed', isPublic: false } }));
    check('PATCH', '/v1/videos/{id}', await t.app.inject({ method: 'PATCH', url: `/v1/videos/${id}`, headers: bearer(pro.accessToken), payload: { title: '' } }));
    check('DELETE', '/v1/videos/{id}', await t.app.inject({ method: 'DELETE', url: `/v1/videos/${id}`, headers: bearer(trial.accessToken) }));
    check('DELETE', '/v1/videos/{id}', await t.app.inject({ method: 'DELETE', url: `/v1/videos/${id}`, headers: bearer(pro.accessToken) }));
  });

  it('custom-domain endpoints (verification is not asked: it would query DNS)', async () => {
    const owner = await registerUser(t);
    const trial = await registerUser(t);
    await t.deps.db.db.updateTable('users').set({ plan: 'pro_plus' }).where('id', '=', owner.userId).execute();
    const add = (token: string, host: string) => t.app.inject({ method: 'POST', url: '/v1/domains', headers: bearer(token), payload: { host } });
    const created = await add(owner.accessToken, `img-${Date.now()}.example.test`);
    assert.equal(created.statusCode, 201, created.body);
    check('POST', '/v1/domains', created);
    check('POST', '/v1/domains', await add(trial.accessToken, 'trial.example.test'));
    check('POST', '/v1/domains', await add(owner.accessToken, 'Not A Host!'));
    check('GET', '/v1/domains', await t.app.inject({ url: '/v1/domains', headers: bearer(owner.accessToken) }));
    const id = (created.json() as { data: { id: string } }).data.id;
    check('POST', '/v1/domains/{id}/verify', await t.app.inject({ method: 'POST', url: '/v1/domains/AAAAAAAAAAAAAAAAAAAAA/verify', headers: bearer(owner.accessToken) }));
    check('DELETE', '/v1/domains/{id}', await t.app.inject({ method: 'DELETE', url: `/v1/domains/${id}`, headers: bearer(owner.accessToken) }));
  });

  it('collection endpoints and batch-move (photo albums)', async () => {
    const s = await registerUser(t);
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: bearer(s.accessToken), ...(payload ? { payload } : {}) });
    const created = await call('POST', '/v1/collections', { name: 'Holidays' });
    assert.equal(created.statusCode, 201, created.body);
    check('POST', '/v1/collections', created);
    check('POST', '/v1/collections', await call('POST', '/v1/collections', { name: 'KB', collectionType: 'knowledge_base' }));
    check('POST', '/v1/collections', await t.app.inject({ method: 'POST', url: '/v1/collections', payload: { name: 'anonymous' } }));
    const id = (created.json() as { data: { id: string } }).data.id;
    check('GET', '/v1/collections', await call('GET', '/v1/collections?type=all&sort=name&limit=5'));
    check('GET', '/v1/collections/{id}', await call('GET', `/v1/collections/${id}`));
    check('GET', '/v1/collections/{id}', await call('GET', '/v1/collections/AAAAAAAAAAAAAAAAAAAAA'));
    check('PATCH', '/v1/collections/{id}', await call('PATCH', `/v1/collections/${id}`, { name: 'Renamed', isDefault: true }));
    check('PATCH', '/v1/collections/{id}', await call('PATCH', `/v1/collections/${id}`, { name: '' }));
    check('PATCH', '/v1/collections/{id}', await call('PATCH', '/v1/collections/AAAAAAAAAAAAAAAAAAAAA', { name: 'x' }));
    check('POST', '/v1/images/batch-move', await call('POST', '/v1/images/batch-move', { ids: ['aZ9kR2pQ7vB'], kbId: id }));
    check('POST', '/v1/images/batch-move', await call('POST', '/v1/images/batch-move', { ids: ['aZ9kR2pQ7vB'], kbId: null }));
    check('POST', '/v1/images/batch-move', await call('POST', '/v1/images/batch-move', { ids: ['aZ9kR2pQ7vB'], kbId: 'AAAAAAAAAAAAAAAAAAAAA' }));
    check('POST', '/v1/images/batch-move', await call('POST', '/v1/images/batch-move', { ids: [], kbId: id }));
    check('DELETE', '/v1/collections/{id}', await call('DELETE', `/v1/collections/${id}`));
    check('DELETE', '/v1/collections/{id}', await call('DELETE', `/v1/collections/${id}`));
  });
});

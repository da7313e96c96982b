// Custom domains (issue 11, SPEC §14) against a DNS server the test runs on loopback: plan gate and count limit,
// validation, one owner per host, CNAME verification, and Host routing — a verified domain serves exactly its
// owner's media with the media host's rules; anything else on it, an unverified or deleted domain → 404.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { bearer, registerUser, startTestApp, type Session, type TestApp } from '../support/app.js';
import { startTestDns, type TestDns } from '../support/dns-server.js';
import { json, uploadOk } from './suites/images.suite.js';

const TARGET = 'cdn.picora.test';

describe('custom domains', () => {
  let t: TestApp;
  let dns: TestDns;
  let a: Session;
  let b: Session;
  const png = (seed: number) => sharp({ create: { width: 8 + seed, height: 8, channels: 3, background: { r: seed * 20, g: 1, b: 2 } } }).png().toBuffer();

  before(async () => {
    dns = await startTestDns();
    t = await startTestApp({ db: 'sqlite', store: 'local' }, { env: { PICORA_DNS_SERVERS: `127.0.0.1:${dns.port}`, PICORA_CNAME_TARGET: TARGET } });
    a = await registerUser(t);
    b = await registerUser(t);
    for (const s of [a, b]) await t.deps.db.db.updateTable('users').set({ plan: 'pro_plus' }).where('id', '=', s.userId).execute();
  });
  after(async () => {
    await t?.close();
    await dns?.close();
  });

  const add = (s: Session, host: string) => t.app.inject({ method: 'POST', url: '/v1/domains', headers: bearer(s.accessToken), payload: { host } });
  const onHost = (host: string, url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers: { host, ...headers } });

  it('trial and pro → 403 PLAN_REQUIRED (pro_plus); bad hosts → 422; a host held by anyone → 409; the 6th → QUOTA_EXCEEDED', async () => {
    const trial = await registerUser(t);
    const r = await add(trial, 'img.trial.test');
    assert.deepEqual([r.statusCode, json(r).code, json(r).meta?.requiredPlan], [403, 'PLAN_REQUIRED', 'pro_plus']);
    await t.deps.db.db.updateTable('users').set({ plan: 'pro' }).where('id', '=', trial.userId).execute();
    assert.equal((await add(trial, 'img.trial.test')).statusCode, 403);
    for (const bad of ['IMG.alice.test', 'https://img.alice.test', 'img.alice.test/path', 'localhost', '1.2.3.4', 'a..test', '-a.test', 'img.alice.test:8080']) {
      const res = await add(a, bad);
      assert.deepEqual([res.statusCode, json(res).code, json(res).meta?.field], [422, 'VALIDATION_ERROR', 'host'], bad);
    }
    const created = await add(a, 'img.alice.test');
    assert.equal(created.statusCode, 201, created.body);
    const d = json(created).data;
    assert.match(d.id, /^[A-Za-z0-9_-]{21}$/);
    assert.deepEqual([d.host, d.verified, d.verifiedAt, d.cnameTarget], ['img.alice.test', false, null, TARGET]);
    assert.match(d.instructions, /CNAME record: img\.alice\.test → cdn\.picora\.test/);
    const taken = await add(b, 'img.alice.test');
    assert.deepEqual([taken.statusCode, json(taken).code], [409, 'CONFLICT']);
    for (let i = 2; i <= 5; i++) assert.equal((await add(a, `img${i}.alice.test`)).statusCode, 201);
    const sixth = await add(a, 'img6.alice.test');
    assert.deepEqual([sixth.statusCode, json(sixth).code, json(sixth).meta?.type], [403, 'QUOTA_EXCEEDED', 'custom_domain_count']);
    const list = json(await t.app.inject({ url: '/v1/domains', headers: bearer(a.accessToken) })).data as Array<{ host: string }>;
    assert.equal(list.length, 5);
    for (const x of list.filter((l) => l.host !== 'img.alice.test')) {
      const id = (x as unknown as { id: string }).id;
      assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/domains/${id}`, headers: bearer(a.accessToken) })).statusCode, 200);
    }
  });

  it('verification asks the configured DNS: no record, a wrong target, then the right one', async () => {
    const id = (json(await t.app.inject({ url: '/v1/domains', headers: bearer(a.accessToken) })).data as Array<{ id: string; host: string }>).find((x) => x.host === 'img.alice.test')!.id;
    const verify = () => t.app.inject({ method: 'POST', url: `/v1/domains/${id}/verify`, headers: bearer(a.accessToken) });
    let v = json(await verify()).data;
    assert.equal(v.verified, false);
    assert.match(v.message, /CNAME record not found/);
    dns.records.set('img.alice.test', 'elsewhere.example.test');
    v = json(await verify()).data;
    assert.equal(v.verified, false);
    assert.match(v.message, /elsewhere\.example\.test, not cdn\.picora\.test/);
    assert.equal((await t.app.inject({ method: 'POST', url: `/v1/domains/${id}/verify`, headers: bearer(b.accessToken) })).statusCode, 403, "another account's domain");
    dns.records.set('img.alice.test', TARGET);
    v = json(await verify()).data;
    assert.deepEqual(v.verified, true, v.message);
    const listed = (json(await t.app.inject({ url: '/v1/domains', headers: bearer(a.accessToken) })).data as Array<{ id: string; verified: boolean; verifiedAt: string | null }>).find((x) => x.id === id)!;
    assert.equal(listed.verified, true);
    assert.ok(listed.verifiedAt);
  });

  it("a verified domain serves only its owner's media, with the media host's rules; delete stops it at once", async () => {
    const mine = await uploadOk(t, a.accessToken, await png(1), 'a.png');
    const minePrivate = await uploadOk(t, a.accessToken, await png(2), 'p.png', { isPublic: 'false' });
    const theirs = await uploadOk(t, b.accessToken, await png(3), 'b.png');
    const file = (img: { url: string }) => new URL(img.url).pathname;
    const host = 'img.alice.test';
    const ok = await onHost(host, file(mine));
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['content-type'], 'image/png');
    assert.equal((await onHost(host, `${file(mine)}?w=4&fmt=webp`)).headers['content-type'], 'image/webp', 'transforms work there');
    const part = await onHost(host, file(mine), { range: 'bytes=0-9' });
    assert.equal(part.statusCode, 206);
    assert.equal((await onHost(host, file(minePrivate))).statusCode, 401, 'private stays private');
    assert.equal((await onHost(host, file(minePrivate), bearer(a.accessToken))).statusCode, 200, 'the owner may');
    assert.equal((await onHost(`${host}:8443`, file(mine))).statusCode, 200, 'a port in Host changes nothing');
    assert.equal((await onHost('IMG.Alice.TEST', file(mine))).statusCode, 200, 'host names are case-insensitive');
    for (const url of [file(theirs), '/v1/images', '/v1/user/me', '/health', '/app/', '/docs', `/v/${'x'.repeat(21)}/master.m3u8`]) {
      const res = await onHost(host, url, bearer(a.accessToken));
      assert.equal(res.statusCode, 404, `${url} on the custom domain`);
      assert.equal(json(res).code, 'NOT_FOUND');
    }
    // an unverified domain serves nothing; a host nobody registered is this server as usual
    const other = json(await add(a, 'img2.alice.test')).data;
    assert.equal((await onHost('img2.alice.test', file(mine))).statusCode, 404);
    assert.equal((await onHost('unknown.example.test', file(mine))).statusCode, 200);
    await t.app.inject({ method: 'DELETE', url: `/v1/domains/${other.id}`, headers: bearer(a.accessToken) });

    const id = (json(await t.app.inject({ url: '/v1/domains', headers: bearer(a.accessToken) })).data as Array<{ id: string; host: string }>).find((x) => x.host === host)!.id;
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/domains/${id}`, headers: bearer(b.accessToken) })).statusCode, 403);
    assert.deepEqual(json(await t.app.inject({ method: 'DELETE', url: `/v1/domains/${id}`, headers: bearer(a.accessToken) })), { success: true, data: null });
    assert.equal((await onHost(host, file(mine))).statusCode, 200, 'deleted: the host is nobody\'s now, so it is this server as usual');
    assert.equal((await add(b, host)).statusCode, 201, 'and another account may add it');
    assert.equal((await onHost(host, file(mine))).statusCode, 404, "b's unverified domain serves nothing of a's");
  });
});

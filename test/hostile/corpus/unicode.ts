// Unicode tricks in values the server stores, compares or echoes: homoglyph and mixed-script e-mails,
// normalisation forms that look identical, zero-width and bidi controls, invalid code points, overlong
// strings counted in code units vs code points. Stored values must come back as they were accepted, and a
// look-alike e-mail must never reach someone else's account.
import assert from 'node:assert/strict';
import { bearer, uploadSpec, type Group, type HostileCase, type Io } from './case.js';
import { uniquePng } from './target.js';

const json = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'application/json' });

export function unicodeGroup(): Group {
  const cases: HostileCase[] = [];
  const add = (name: string, run: (io: Io, name: string) => Promise<void>) => cases.push({ name: `unicode › ${name}`, run: (io) => run(io, `unicode › ${name}`) });

  /** Logging in with a look-alike of the corpus e-mail (right password) must never sign in. */
  const lookalikes: Array<[string, (email: string) => string]> = [
    ['Cyrillic а for a', (e) => e.replace('a', '\u0430')],
    ['Cyrillic е for e', (e) => e.replace('e', '\u0435')],
    ['fullwidth @', (e) => e.replace('@', '\uff20')],
    ['zero-width space before @', (e) => e.replace('@', '\u200b@')],
    ['RTL override inside', (e) => `\u202e${e}`],
    ['combining acute accent on a letter', (e) => e.replace('h', 'h\u0301')],
    ['dotless ı for i', (e) => e.replace('i', '\u0131')],
    ['trailing NUL', (e) => `${e}\u0000`],
    ['upper-case ß expansion', (e) => e.replace('s', '\u1e9e')],
  ];
  for (const [label, alter] of lookalikes) {
    add(`login with a look-alike e-mail: ${label}`, async (io, name) => {
      const email = alter(io.target.user.email);
      assert.notEqual(email, io.target.user.email, `${name}: the corpus e-mail has no letter to replace`);
      const a = await io.send('POST /v1/auth/login', { method: 'POST', path: '/v1/auth/login', headers: json({}), body: JSON.stringify({ email, password: io.target.user.password }) });
      assert.ok(a.status >= 400, `${name}: signed in as ${JSON.stringify(email)} — a look-alike reached the account (${a.status})`);
    });
    add(`send-code (register) for a look-alike e-mail: ${label}`, async (io) => {
      await io.send('POST /v1/auth/send-code', { method: 'POST', path: '/v1/auth/send-code', headers: json({}), body: JSON.stringify({ email: alter(io.target.user.email), type: 'register' }) });
    });
  }

  /** A stored value comes back as the server accepted it (or is refused); never mangled into something else. */
  const titles: Array<[string, string]> = [
    ['NFD vs NFC (é as e + U+0301)', 'caf\u0065\u0301'],
    ['RTL override making "gnp.exe" look like "exe.png"', 'photo\u202egnp.exe'],
    ['zero-width joiners and non-joiners', 'a\u200d\u200c\u2060b'],
    ['lone surrogate', 'x\ud800y'],
    ['noncharacters U+FFFE U+FFFF', 'x\ufffe\uffffy'],
    ['200 emoji (400 UTF-16 units, 200 code points)', '😀'.repeat(200)],
    ['201 emoji (over 200 code points)', '😀'.repeat(201)],
    ['Zalgo: 5,000 combining marks on one letter', `Z${'\u0300\u0301\u0302\u0303'.repeat(1250)}`],
    ['control characters \\u0000–\\u001f', Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('')],
    ['BOM and interlinear annotation', '\ufeff\ufff9a\ufffab\ufffb'],
    ['variation selectors and tag characters', `a\ufe0f\u{e0041}\u{e007f}`],
  ];
  for (const [label, title] of titles) {
    add(`PATCH image title: ${label}`, async (io, name) => {
      // an image of its own: the other cases of the group run at the same time
      const own = await io.send('upload own image', uploadSpec(io, await uniquePng(), 'own.png'));
      assert.equal(own.status, 201, `${name}: could not upload the image to patch`);
      const path = `/v1/images/${(own.json() as { data: { id: string } }).data.id}`;
      const a = await io.send('PATCH title', { method: 'PATCH', path, headers: json(bearer(io.target.user.key)), body: JSON.stringify({ title }) });
      if (a.status !== 200) return;
      const stored = (a.json() as { data: { title: string | null } }).data.title;
      const back = await io.send('GET image', { path, headers: bearer(io.target.user.key) });
      assert.equal((back.json() as { data: { title: string | null } }).data.title, stored, `${name}: the stored title reads back differently`);
      assert.ok(stored === null || [...stored].length <= 400, `${name}: a title of ${[...(stored ?? '')].length} code points was stored`);
    });
  }
  const tagSets: Array<[string, unknown]> = [
    ['tags equal after NFC (é twice)', ['caf\u00e9', 'caf\u0065\u0301']],
    ['tags that differ only by zero-width', ['tag', 'ta\u200bg', 'ta\u2060g']],
    ['33-code-point tag of astral characters', ['𝔸'.repeat(33)]],
    ['32-code-point tag of astral characters (64 UTF-16 units)', ['𝔸'.repeat(32)]],
    ['tag with a NUL', ['a\u0000b']],
    ['tag with bidi isolates', ['\u2066abc\u2069']],
  ];
  for (const [label, tags] of tagSets) {
    add(`PATCH image tags: ${label}`, async (io) => {
      await io.send('PATCH tags', { method: 'PATCH', path: `/v1/images/${io.target.images.patchable.id}`, headers: json(bearer(io.target.user.key)), body: JSON.stringify({ tags }) });
    });
    add(`GET /v1/images?tag= ${label}`, async (io) => {
      const tag = Array.isArray(tags) ? String(tags[tags.length - 1]) : '';
      await io.send('GET list by tag', { path: `/v1/images?tag=${encodeURIComponent(tag)}&q=${encodeURIComponent(tag)}`, headers: bearer(io.target.user.key) });
    });
  }
  add('PATCH /v1/user/me nickname with RTL override and emoji', async (io) => {
    await io.send('PATCH me', { method: 'PATCH', path: '/v1/user/me', headers: json(bearer(io.target.user.token)), body: JSON.stringify({ nickname: '\u202eadmin\u202c😀\u0000' }) });
  });
  add('GET /v1/images?q= with a lone surrogate and SQL LIKE wildcards', async (io) => {
    await io.send('GET list', { path: `/v1/images?q=${encodeURIComponent('%_\\')}%ED%A0%80&tag=%25`, headers: bearer(io.target.user.key) });
  });
  add('GET /v1/images?cursor= of homoglyph base64', async (io, name) => {
    const a = await io.send('GET list', { path: `/v1/images?cursor=${encodeURIComponent('еyJ\u0430IjoxfQ')}`, headers: bearer(io.target.user.key) });
    assert.equal(a.error?.code, 'BAD_REQUEST', `${name}: a tampered cursor is BAD_REQUEST (CONTRACT §5)`);
  });
  add('GET /v1/images?start_date= in Arabic-Indic digits', async (io) => {
    await io.send('GET list', { path: `/v1/images?start_date=${encodeURIComponent('٢٠٢٤-٠١-٠١')}&end_date=${encodeURIComponent('2024-13-45')}`, headers: bearer(io.target.user.key) });
  });
  return { name: 'unicode', cases };
}

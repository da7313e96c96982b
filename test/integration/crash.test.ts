// Crash recovery (issue 14): a REAL server process under upload load is killed with SIGKILL — no shutdown code
// runs — and restarted on the same data folder, database and store with a short reservation TTL. Whatever
// step each upload was at, the restarted server must heal on its own: no object without a row, no row
// without its object, usage counters equal to the rows (after the reservation sweep), no spool file left.
// Runs on SQLite + local store, and on PostgreSQL + S3 (required under CI=true).
import assert from 'node:assert/strict';
import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../src/config/config.js';
import { createDb, type DbHandle } from '../../src/db/db.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import { createBlobStore } from '../../src/storage/create-store.js';
import { storageKeys } from '../../src/storage/keys.js';
import { uploadBody } from '../support/multipart.js';
import { createTestBucket, probeS3 } from '../support/s3.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { createTestDatabase, probePostgres, skipUnless } from '../support/services.js';

const pg = await probePostgres();
const s3 = await probeS3();

const TTL_MS = 5_000; // the first run uses it too: its reservations expire TTL_MS after they were taken
const CONCURRENCY = 40;
const TRICKLERS = 4; // uploads whose client sends half the body, then waits: spool files at the kill
const ROUNDS = 3; // load + kill rounds at most, until a kill has left a reservation behind
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** A noise PNG unique to `seed`, 48–143 px a side (about 7–60 KB): distinct bytes and sizes. */
async function noisePng(seed: number): Promise<Buffer> {
  const side = 48 + ((seed * 37) % 96);
  const raw = Buffer.alloc(side * side * 3);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < raw.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    raw[i] = x & 0xff;
  }
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
}

type Debris = { reservations: number; spoolFiles: number; orphanObjects: number; excessBytes: number; excessCount: number };

function crashSuite(name: string, backend: 'sqlite-local' | 'postgres-s3', skip?: string): void {
  describe(`kill -9 under upload load (${name})`, { skip, timeout: 150_000 }, () => {
    const cleanups: Array<() => Promise<unknown>> = [];
    let server: ServerProcess | undefined;
    let env: Record<string, string>;
    let dataDir: string;
    let db: DbHandle;
    let blobs: BlobStore;
    let seed = backend === 'sqlite-local' ? 0 : 100_000;

    after(async () => {
      await server?.stop(2_000);
      for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.log(`# cleanup: ${(err as Error).message}`));
    });

    const logs = () => `\n--- server ---\n${server?.output().slice(-4000) ?? ''}`;
    async function call(method: string, pathname: string, token?: string, payload?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
      const init: RequestInit = { method, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(20_000) };
      if (Buffer.isBuffer(payload)) init.body = new Uint8Array(payload);
      else if (payload !== undefined) {
        init.body = JSON.stringify(payload);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      const res = await server!.fetch(pathname, init);
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
    }
    const start = async (label: string) => {
      server = await startServerProcess(env, { label });
    };
    const spoolFiles = async () => (await readdir(path.join(dataDir, 'tmp', 'uploads')).catch(() => [] as string[])).sort();

    async function register(): Promise<{ token: string; userId: string; key: string }> {
      const email = `crash-${Date.now()}-${backend}@example.com`;
      const sent = await call('POST', '/v1/auth/send-code', undefined, { email, type: 'register' });
      assert.equal(sent.status, 200, JSON.stringify(sent.body) + logs());
      const mails = (await readFile(path.join(dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { to: string; text: string });
      const code = /\b(\d{6})\b/.exec(mails.filter((m) => m.to === email).pop()?.text ?? '')?.[1];
      const res = await call('POST', '/v1/auth/register', undefined, { email, password: 'correct-horse-1', code });
      assert.equal(res.status, 201, JSON.stringify(res.body) + logs());
      const token = res.body.data.accessToken as string;
      const created = await call('POST', '/v1/api-keys', token, { name: 'crash uploader' });
      assert.equal(created.status, 201, JSON.stringify(created.body) + logs());
      return { token, userId: res.body.data.user.id as string, key: created.body.data.key as string };
    }

    /** Objects under the account's originals, rows, counters, reservations: what is there right now. */
    async function inventory(userId: string) {
      const objects: string[] = [];
      for await (const k of blobs.list(storageKeys.userPrefix(userId))) if (k.endsWith('/original')) objects.push(k);
      const rows = await db.db.selectFrom('images').select(['id', 'sizeBytes']).where('userId', '=', userId).execute();
      const usage = await db.db.selectFrom('userUsage').select(['imgStorageBytes', 'imgCount']).where('userId', '=', userId).executeTakeFirst();
      const reservations = await db.db.selectFrom('quotaReservations').selectAll().where('userId', '=', userId).execute();
      const rowIds = new Set(rows.map((r) => r.id));
      return {
        objects,
        rows,
        rowBytes: rows.reduce((n, r) => n + Number(r.sizeBytes), 0),
        counters: { bytes: Number(usage?.imgStorageBytes ?? 0), count: Number(usage?.imgCount ?? 0) },
        reservations,
        inFlight: reservations.filter((r) => r.state !== 'released' && !rowIds.has(r.id)),
        orphans: objects.filter((k) => !rowIds.has(k.split('/')[2]!)),
        blobless: rows.filter((r) => !objects.includes(storageKeys.imageOriginal(userId, r.id))).map((r) => r.id),
      };
    }

    /** Is some upload of the account holding a reservation without its row yet? */
    async function reservationInFlight(userId: string): Promise<boolean> {
      const open = await db.db
        .selectFrom('quotaReservations')
        .select('id')
        .where('userId', '=', userId)
        .where('state', '!=', 'released')
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('images').select('images.id').whereRef('images.id', '=', 'quotaReservations.id'))))
        .limit(1)
        .execute();
      return open.length > 0;
    }

    /** Half a multipart body on a raw socket, the rest never sent: the upload sits in the spool. */
    function trickle(key: string, data: Buffer): net.Socket {
      const u = uploadBody(data, 'slow.png');
      const socket = net.connect(server!.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(
        `POST /v1/images HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: ${u.headers['content-type']}\r\nContent-Length: ${u.payload.length}\r\n\r\n`,
      );
      socket.write(u.payload.subarray(0, Math.floor(u.payload.length / 2)));
      return socket;
    }

    /** Uploads from CONCURRENCY loops (and a few stalled clients), then SIGKILL while they are in flight. */
    async function loadAndKill(key: string, userId: string, images: Buffer[]): Promise<Debris> {
      let stop = false;
      let ok = 0;
      const statuses = new Map<number, number>();
      let next = 0;
      const tricklers = Array.from({ length: TRICKLERS }, () => trickle(key, images[next++ % images.length]!));
      const loops = Array.from({ length: CONCURRENCY }, async () => {
        while (!stop) {
          const u = uploadBody(images[next++ % images.length]!, `load-${next}.png`);
          try {
            const res = await call('POST', '/v1/images', key, u.payload, u.headers);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status === 201) ok++;
          } catch {
            // the connection died with the server
          }
        }
      });
      // Kill once uploads are landing steadily, the stalled clients' bytes sit in the spool and some upload is
      // between its quota reservation and its row (the crash point the quota healing exists for). Left to chance,
      // a loaded machine could kill at a quiet moment every round and leave that healing untested.
      const deadline = Date.now() + 30_000;
      while ((ok < 8 || (await spoolFiles()).length < TRICKLERS || !(await reservationInFlight(userId))) && Date.now() < deadline) await sleep(2);
      server!.child.kill('SIGKILL');
      stop = true;
      assert.equal(await server!.stop(), 'SIGKILL', 'the server died of SIGKILL');
      await Promise.all(loops);
      for (const s of tricklers) s.destroy();
      assert.ok(ok >= 8, `uploads were landing before the kill: ${JSON.stringify([...statuses])}${logs()}`);
      const unexpected = [...statuses.keys()].filter((s) => s !== 201 && s !== 200);
      assert.deepEqual(unexpected, [], `before the kill every upload answered 201 (or 200 for a repeat): ${JSON.stringify([...statuses])}${logs()}`);

      const inv = await inventory(userId);
      // The invariant at every crash point: the counters hold the rows plus the uploads still in flight.
      const inFlightBytes = inv.inFlight.reduce((n, r) => n + Number(r.bytes), 0);
      assert.deepEqual(inv.counters, { bytes: inv.rowBytes + inFlightBytes, count: inv.rows.length + inv.inFlight.length }, 'counters = rows + reservations in flight, even right after the kill');
      assert.deepEqual(inv.blobless, [], 'no row ever lacks its object');
      return {
        reservations: inv.reservations.length,
        spoolFiles: (await spoolFiles()).length,
        orphanObjects: inv.orphans.length,
        excessBytes: inv.counters.bytes - inv.rowBytes,
        excessCount: inv.counters.count - inv.rows.length,
      };
    }

    it('heals after SIGKILL: no orphan object, no blob-less row, counters equal the rows, no spool file', async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'picora-crash-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      env = {
        PICORA_DATA_DIR: dataDir,
        PICORA_UPLOAD_RESERVATION_TTL_MS: String(TTL_MS),
        PICORA_RATE_UPLOAD_PER_MIN: '1000000', PICORA_RATE_PER_HOUR: '100000000', PICORA_RATE_READ_PER_MIN: '1000000',
        PICORA_RATE_MUTATION_PER_MIN: '1000000', PICORA_RATE_AUTH_PER_MIN: '1000000',
        PICORA_JWT_SECRET: 'crash-test-secret-0123456789-0123456789',
      };
      if (backend === 'postgres-s3') {
        if (!pg.ok || !s3.ok) throw new Error('unreachable: skipped above');
        const database = await createTestDatabase();
        cleanups.push(database.drop);
        const bucket = await createTestBucket(s3.value);
        cleanups.push(bucket.drop);
        Object.assign(env, {
          PICORA_DATABASE_URL: database.url,
          PICORA_STORAGE: 's3', PICORA_S3_ENDPOINT: s3.value.endpoint, PICORA_S3_BUCKET: bucket.bucket, PICORA_S3_REGION: s3.value.region,
          PICORA_S3_ACCESS_KEY: s3.value.accessKeyId, PICORA_S3_SECRET_KEY: s3.value.secretAccessKey,
        });
      }
      const config = loadConfig(env);
      await start(`${name}: first run`);
      db = createDb(config.database); // after the server migrated it
      cleanups.push(() => db.close());
      blobs = await createBlobStore(config.storage);
      cleanups.push(() => blobs.close());
      await register(); // the first account is the admin (×10 limits): the uploads use a plain one
      const user = await register();

      const rounds: Debris[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const images = await Promise.all(Array.from({ length: 3 * CONCURRENCY }, () => noisePng(++seed)));
        const debris = await loadAndKill(user.key, user.userId, images);
        rounds.push(debris);
        console.log(`# ${name} round ${round}: the kill left ${JSON.stringify(debris)}`);
        assert.ok(debris.spoolFiles >= TRICKLERS, `the stalled uploads' spool files were there at the kill: ${JSON.stringify(debris)}`);

        await start(`${name}: restart ${round}`);
        const healBy = Date.now() + 2 * TTL_MS + 10_000;
        let inv = await inventory(user.userId);
        while ((inv.reservations.length > 0 || inv.orphans.length > 0 || inv.counters.bytes !== inv.rowBytes || (await spoolFiles()).length > 0) && Date.now() < healBy) {
          await sleep(200);
          inv = await inventory(user.userId);
        }
        assert.deepEqual(await spoolFiles(), [], `round ${round}: no spool file left (the dead process's are swept at start)${logs()}`);
        assert.deepEqual(inv.orphans, [], `round ${round}: every object under the originals has a row${logs()}`);
        assert.deepEqual(inv.blobless, [], `round ${round}: every row has its object`);
        assert.deepEqual(inv.reservations, [], `round ${round}: every reservation of the dead process is released`);
        assert.deepEqual(inv.counters, { bytes: inv.rowBytes, count: inv.rows.length }, `round ${round}: counters equal the rows${logs()}`);
        const usage = await call('GET', '/v1/user/me/usage', user.key);
        assert.equal(usage.status, 200, JSON.stringify(usage.body));
        assert.deepEqual([usage.body.data.images.storageUsed, usage.body.data.images.totalCount], [inv.rowBytes, inv.rows.length], `round ${round}: the API reports the rows`);
        const fresh = uploadBody(await noisePng(++seed), 'after.png');
        const after = await call('POST', '/v1/images', user.key, fresh.payload, fresh.headers);
        assert.equal(after.status, 201, `round ${round}: the restarted server takes uploads: ${JSON.stringify(after.body)}${logs()}`);
        if (rounds.some((d) => d.reservations > 0)) break;
      }
      assert.ok(
        rounds.some((d) => d.reservations > 0 && d.excessCount > 0),
        `some kill left an upload between its reservation and its row (else the quota healing went untested): ${JSON.stringify(rounds)}`,
      );
      const final = await inventory(user.userId);
      assert.deepEqual(final.counters, { bytes: final.rowBytes, count: final.rows.length });
    });
  });
}

crashSuite('SQLite + local store', 'sqlite-local');
crashSuite('PostgreSQL + S3', 'postgres-s3', skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3));

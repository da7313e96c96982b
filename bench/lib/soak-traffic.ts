// The soak benchmark's traffic: one table of request kinds, each with its weight in the mix, the status it
// must get, and a check of the answer's content where that is cheap (an original's bytes hash to the image's
// sha256, a batch delete counts what it deleted, `exists` finds exactly the live hashes, …). The bad input
// is in soak-bad-input.ts.
import { createHash, randomBytes } from 'node:crypto';
import { BAD_OPS } from './soak-bad-input.js';
import { jsonOf, multipartBody, type HttpAnswer } from './soak-http.js';
import type { LiveImage } from './soak-pool.js';
import { between, dataOf, holdOne, owner, pick, randomImageId, send, type ImageJson, type Op, type Result, type SoakContext } from './soak-requests.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Transform parameter sets asked again and again of the pinned images: cache hits after the first. */
const POPULAR = ['w=256&fmt=webp', 'w=512&fmt=jpeg&q=80', 'w=128&h=128&fit=cover&fmt=webp', 'w=320&fmt=png', 'w=640', 'w=200&fmt=avif&q=50'];
const FORMAT_TYPES: Record<string, string> = { jpeg: 'image/jpeg', webp: 'image/webp', png: 'image/png', avif: 'image/avif' };

function checkVariant(ctx: SoakContext, query: string): (a: HttpAnswer) => string | undefined {
  const fmt = new URLSearchParams(query).get('fmt') ?? 'webp'; // without fmt, Accept below asks for WebP
  return (a) => {
    ctx.served.bytes += a.body.length;
    if (a.headers['content-type'] !== FORMAT_TYPES[fmt]) return `content-type ${a.headers['content-type']} for fmt=${fmt}`;
    if (a.body.length === 0 || a.body.length !== Number(a.headers['content-length'])) return `body of ${a.body.length} B, content-length ${a.headers['content-length']}`;
    return undefined;
  };
}

function randomTransform(): string {
  const q = new URLSearchParams({ w: String(between(16, 1200)) });
  if (Math.random() < 0.3) {
    q.set('h', String(between(16, 1200)));
    q.set('fit', pick(['cover', 'contain', 'fill', 'inside', 'outside']));
  }
  q.set('fmt', pick(['jpeg', 'jpeg', 'webp', 'webp', 'png', 'avif']));
  q.set('q', String(between(30, 95)));
  return q.toString();
}

/** A new, distinct image; a fifth of them private. Pinned ones (seeded first) are public and never deleted. */
async function upload(ctx: SoakContext, pinned = false): Promise<Result> {
  const file = await ctx.images.next();
  const isPublic = pinned || Math.random() < 0.8;
  const { contentType, body } = multipartBody(
    { isPublic: String(isPublic), tags: JSON.stringify(Math.random() < 0.5 ? ['soak-a'] : ['soak-b', 'more']), title: `Soak ${file.name}` },
    file,
  );
  return send(ctx, { method: 'POST', path: '/v1/images', headers: { ...owner(ctx), 'content-type': contentType }, body }, [201], (a) => {
    const d = dataOf<ImageJson>(a);
    if (!d?.id) return 'no image in the answer';
    if (d.sha256 !== file.sha256) return `sha256 ${d.sha256} for a file of ${file.sha256}`;
    if (d.sizeBytes !== file.data.length || d.isPublic !== isPublic) return `sizeBytes ${d.sizeBytes} / isPublic ${d.isPublic}, sent ${file.data.length} / ${isPublic}`;
    const path = new URL(d.url).pathname;
    ctx.pool.add({ id: d.id, ext: path.slice(path.lastIndexOf('.') + 1), path, sha256: d.sha256, sizeBytes: d.sizeBytes, isPublic, pinned, busy: 0 }, file.data);
    return undefined;
  });
}

async function deliverOriginal(ctx: SoakContext, img: LiveImage, mode: 'get' | 'etag' | 'range' | 'head'): Promise<Result> {
  const headers: Record<string, string> = img.isPublic && Math.random() < 0.7 ? {} : owner(ctx);
  if (mode === 'etag') headers['if-none-match'] = img.etag!;
  if (mode === 'range') headers.range = 'bytes=0-1023';
  const req = { method: mode === 'head' ? 'HEAD' : 'GET', path: img.path, headers };
  const status = mode === 'etag' ? 304 : mode === 'range' ? 206 : 200;
  return send(ctx, req, [status], (a) => {
    if (mode === 'etag') return a.body.length ? 'a 304 with a body' : undefined;
    if (mode === 'head') return Number(a.headers['content-length']) === img.sizeBytes ? undefined : `HEAD content-length ${a.headers['content-length']} for ${img.sizeBytes} B`;
    ctx.served.bytes += a.body.length;
    if (mode === 'range') return a.body.length === Math.min(1024, img.sizeBytes) ? undefined : `range of ${a.body.length} B`;
    img.etag = typeof a.headers.etag === 'string' ? a.headers.etag : img.etag;
    return sha256(a.body) === img.sha256 ? undefined : `original of ${a.body.length} B does not hash to the image's sha256`;
  });
}

export const OPS: Op[] = [
  { kind: 'upload', weight: 8, run: (ctx) => upload(ctx) },
  {
    kind: 'upload-duplicate', weight: 2, can: (ctx) => ctx.pool.pickWithBytes() !== undefined,
    run: async (ctx) => {
      const { img, data } = ctx.pool.pickWithBytes()!;
      return holdOne(ctx, img, () => {
        const { contentType, body } = multipartBody({}, { name: `again.${img.ext}`, type: 'application/octet-stream', data });
        return send(ctx, { method: 'POST', path: '/v1/images', headers: { ...owner(ctx), 'content-type': contentType }, body }, [200], (a) =>
          a.headers['x-picora-duplicate'] !== 'true' ? 'no X-Picora-Duplicate: true' : dataOf<ImageJson>(a)?.id !== img.id ? 'another image than the original' : undefined,
        );
      });
    },
  },
  {
    kind: 'list', weight: 8,
    run: (ctx) => {
      const limit = pick([20, 50, 100]);
      const q = new URLSearchParams({ limit: String(limit) });
      const roll = Math.random();
      if (roll < 0.25 && ctx.cursor) q.set('cursor', ctx.cursor);
      else if (roll < 0.45) q.set('tag', pick(['soak-a', 'soak-b']));
      else if (roll < 0.55) q.set('q', 'soak');
      return send(ctx, { method: 'GET', path: `/v1/images?${q}`, headers: owner(ctx) }, [200], (a) => {
        const d = dataOf<{ items: unknown[]; total: number; nextCursor: string | null }>(a);
        if (!d || !Array.isArray(d.items) || !Number.isInteger(d.total) || d.items.length > limit) return 'not a library page';
        ctx.cursor = d.nextCursor ?? undefined;
        return undefined;
      });
    },
  },
  {
    kind: 'get', weight: 8, can: (ctx) => ctx.pool.live.size > 0,
    run: (ctx) => {
      const img = ctx.pool.pick()!;
      return holdOne(ctx, img, () =>
        send(ctx, { method: 'GET', path: `/v1/images/${img.id}`, headers: owner(ctx) }, [200], (a) => (dataOf<ImageJson>(a)?.sha256 === img.sha256 ? undefined : 'another image')),
      );
    },
  },
  {
    kind: 'exists', weight: 3, can: (ctx) => ctx.pool.live.size > 0,
    run: (ctx) => {
      const known = [...new Set(Array.from({ length: between(1, 5) }, () => ctx.pool.pick()!))];
      const unknown = Array.from({ length: between(1, 3) }, () => randomBytes(32).toString('hex'));
      const body = JSON.stringify({ hashes: [...known.map((i) => i.sha256), ...unknown] });
      return ctx.pool.hold(known, () =>
        send(ctx, { method: 'POST', path: '/v1/images/exists', headers: { ...owner(ctx), 'content-type': 'application/json' }, body }, [200], (a) => {
          const d = dataOf<{ existing: Record<string, { id: string }>; missing: string[] }>(a);
          if (!d) return 'no answer body';
          if (known.some((i) => d.existing[i.sha256]?.id !== i.id)) return 'a live image is not reported as existing';
          return unknown.every((h) => d.missing.includes(h)) ? undefined : 'an unknown hash is not reported missing';
        }),
      );
    },
  },
  {
    kind: 'usage', weight: 2,
    run: (ctx) => send(ctx, { method: 'GET', path: '/v1/user/me/usage', headers: owner(ctx) }, [200], (a) =>
      Number.isInteger(dataOf<{ images: { totalCount: number } }>(a)?.images.totalCount) ? undefined : 'no usage figures'),
  },
  { kind: 'original', weight: 8, can: (ctx) => ctx.pool.live.size > 0, run: (ctx) => { const i = ctx.pool.pick()!; return holdOne(ctx, i, () => deliverOriginal(ctx, i, 'get')); } },
  { kind: 'original-304', weight: 2, can: (ctx) => ctx.pool.pick((i) => !!i.etag) !== undefined, run: (ctx) => { const i = ctx.pool.pick((x) => !!x.etag)!; return holdOne(ctx, i, () => deliverOriginal(ctx, i, 'etag')); } },
  { kind: 'original-range', weight: 1, can: (ctx) => ctx.pool.live.size > 0, run: (ctx) => { const i = ctx.pool.pick()!; return holdOne(ctx, i, () => deliverOriginal(ctx, i, 'range')); } },
  { kind: 'original-head', weight: 1, can: (ctx) => ctx.pool.live.size > 0, run: (ctx) => { const i = ctx.pool.pick()!; return holdOne(ctx, i, () => deliverOriginal(ctx, i, 'head')); } },
  {
    kind: 'render-repeat', weight: 14, can: (ctx) => ctx.pool.pinned().length > 0,
    run: (ctx) => {
      const img = pick(ctx.pool.pinned());
      const query = pick(POPULAR);
      const headers = { accept: 'image/webp,image/*;q=0.8,*/*;q=0.5', ...(img.isPublic ? {} : owner(ctx)) };
      return send(ctx, { method: 'GET', path: `${img.path}?${query}`, headers }, [200], checkVariant(ctx, query));
    },
  },
  {
    kind: 'render-new', weight: 8, can: (ctx) => ctx.pool.live.size > 0,
    run: (ctx) => {
      const img = ctx.pool.pick()!;
      const query = randomTransform();
      return holdOne(ctx, img, () => send(ctx, { method: 'GET', path: `${img.path}?${query}`, headers: img.isPublic ? {} : owner(ctx) }, [200], checkVariant(ctx, query)));
    },
  },
  {
    kind: 'delete', weight: 4, can: (ctx) => ctx.pool.pick((i) => !i.pinned && i.busy === 0) !== undefined,
    run: (ctx) => {
      const [img] = ctx.pool.takeForDelete(1);
      return send(ctx, { method: 'DELETE', path: `/v1/images/${img!.id}`, headers: owner(ctx) }, [200], (a) => (jsonOf<{ data: unknown }>(a)?.data === null ? undefined : 'not {data: null}'));
    },
  },
  {
    kind: 'delete-batch', weight: 1.5, can: (ctx) => ctx.pool.pick((i) => !i.pinned && i.busy === 0) !== undefined,
    run: (ctx) => {
      const imgs = ctx.pool.takeForDelete(between(2, 4));
      const unknown = Math.random() < 0.5 ? [randomImageId()] : [];
      const body = JSON.stringify({ ids: [...imgs.map((i) => i.id), ...unknown] });
      return send(ctx, { method: 'DELETE', path: '/v1/images', headers: { ...owner(ctx), 'content-type': 'application/json' }, body }, [200], (a) => {
        const d = dataOf<{ deleted: number; failed: number }>(a);
        return d?.deleted === imgs.length && d.failed === unknown.length ? undefined : `deleted ${d?.deleted} failed ${d?.failed}, expected ${imgs.length} / ${unknown.length}`;
      });
    },
  },
  ...BAD_OPS,
];

const TOTAL_WEIGHT = OPS.reduce((s, o) => s + o.weight, 0);

function pickOp(): Op {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const op of OPS) if ((r -= op.weight) < 0) return op;
  return OPS[0]!;
}

/**
 * One request of the mix, recorded in the tally. The library is kept between `bounds.min` and `bounds.max`
 * deletable images: past the bounds an upload becomes a delete and the other way round; a kind that cannot
 * run now (nothing to delete yet, no private image …) becomes an upload.
 */
export async function runOne(ctx: SoakContext, bounds: { min: number; max: number }): Promise<void> {
  let op = pickOp();
  const n = ctx.pool.deletableCount;
  if (op.kind === 'upload' && n >= bounds.max) op = OPS.find((o) => o.kind === 'delete')!;
  if (op.kind.startsWith('delete') && n <= bounds.min) op = OPS[0]!;
  if (op.can && !op.can(ctx)) op = OPS[0]!;
  const { req, answer, expected, problem } = await op.run(ctx);
  ctx.tally.record(op.kind, `${req.method} ${req.path.slice(0, 120)}`, answer, expected, problem);
}

export const BAD_KINDS = new Set(OPS.filter((o) => o.bad).map((o) => o.kind));

/** Uploads `pinned` public images that are never deleted, then `more` ordinary ones; any failure throws. */
export async function seedLibrary(ctx: SoakContext, pinned: number, more: number): Promise<void> {
  for (let i = 0; i < pinned + more; i++) {
    const r = await upload(ctx, i < pinned);
    if (r.answer.status !== 201 || r.problem) throw new Error(`seeding the library: ${r.answer.status} ${r.problem ?? r.answer.error ?? r.answer.body.toString('utf8').slice(0, 300)}`);
  }
}

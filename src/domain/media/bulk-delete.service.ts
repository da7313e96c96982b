// Bulk delete with a preview (SPEC §10): the dry run counts the matching set and hands out a snapshot token —
// an HMAC over the account, the types, the filters, the snapshot time, the count and a sha256 digest of the
// ordered ids, valid 5 minutes. The execution first re-reads the set and recomputes the digest (any difference is
// a 409 and nothing is deleted), keeping one small checkpoint per page of 500 ids (its last id and its digest);
// then it deletes page by page, each page re-read between its checkpoints and compared with its digest before
// a single id of it goes, so nothing outside the snapshot set is ever deleted (an item that starts to match in
// between stops the run with a 409 naming how many went). Ids stream through in pages: 100 000 items never sit
// in memory (the checkpoints are ~200 short strings). Uploads after the preview are outside the set by
// construction (created_at ≤ the snapshot time). Each type deletes a page through its own service (rows,
// tombstones, quota, objects): `removeBatch` when the source has it, else one `remove` per id.
import { createHash } from 'node:crypto';
import { AppError, validationError } from '../../errors/app-error.js';
import type { BulkFilters, MediaRepo, MediaType } from '../../db/repos/media.repo.js';
import type { Principal } from '../../auth/principal.js';
import type { Clock } from '../../lib/clock.js';
import { toIso } from '../../lib/clock.js';
import { hmacSha256, safeEqual } from '../../lib/hashing.js';
import type { MediaSource } from './media-sources.js';

export type ResourceType = 'image' | 'video' | 'media' | 'document';
export type BulkPreviewInput = {
  resourceType?: ResourceType | undefined;
  filters?: { createdBefore?: string | undefined; minSizeBytes?: number | undefined; tags?: string[] | undefined; isPublic?: boolean | undefined } | undefined;
};
export type BulkPreview = { count: number; snapshotToken: string; expiresAt: string };
export type BulkResult = { count: number; deleted: number; failed: number };

type Checkpoint = { type: MediaType; last: string; digest: string };
type Snapshot = { u: string; t: MediaType[]; f: Omit<BulkFilters, 'userId' | 'createdUpTo'>; at: number; n: number; d: string; e: number };

const TOKEN_TTL_MS = 5 * 60_000;
const PAGE = 500;
/** Deletes at once (each one is a few queries and store calls). */
const CONCURRENCY = 8;

type Deps = { media: MediaRepo; sources: MediaSource[]; clock: Clock; serverSecret: string };

export function createBulkDeleteService(deps: Deps) {
  const key = hmacSha256(deps.serverSecret, 'picora:bulk-delete-snapshot:v1');
  const sources = new Map(deps.sources.map((s) => [s.type, s]));
  const mac = (body: string) => hmacSha256(key, body).toString('base64url');

  function typesOf(resourceType: ResourceType | undefined): MediaType[] {
    if (!resourceType) throw validationError('resourceType', 'is required (image, video or media)');
    if (resourceType === 'document') throw validationError('resourceType', 'document is not hosted on this server: use image, video or media');
    const wanted: MediaType[] = resourceType === 'media' ? ['video', 'audio'] : [resourceType];
    return wanted.filter((t) => sources.has(t));
  }

  function filtersOf(input: BulkPreviewInput['filters']): Snapshot['f'] {
    const f: Snapshot['f'] = {};
    if (input?.createdBefore !== undefined) {
      const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(input.createdBefore) ? Date.parse(input.createdBefore) : NaN;
      if (Number.isNaN(ms)) throw validationError('filters.createdBefore', 'must be an ISO 8601 date-time');
      f.createdBefore = ms;
    }
    if (input?.minSizeBytes !== undefined) f.minSizeBytes = input.minSizeBytes;
    if (input?.tags?.length) f.tags = [...new Set(input.tags.map((t) => t.normalize('NFC').trim()))];
    if (input?.isPublic !== undefined) f.isPublic = input.isPublic;
    return f;
  }

  /** Every matching id, page by page, type by type (in id order). */
  async function* matching(s: Pick<Snapshot, 'u' | 't' | 'f' | 'at'>): AsyncGenerator<{ type: MediaType; ids: string[] }> {
    const filters: BulkFilters = { ...s.f, userId: s.u, createdUpTo: s.at };
    for (const type of s.t) {
      let afterId: string | undefined;
      for (;;) {
        const ids = await deps.media.bulkIds(type, filters, PAGE, afterId);
        if (ids.length === 0) break;
        yield { type, ids };
        afterId = ids[ids.length - 1];
        if (ids.length < PAGE) break;
      }
    }
  }

  const pageDigest = (type: MediaType, ids: string[]) => createHash('sha256').update(ids.map((id) => `${type}:${id}\n`).join('')).digest('base64url');

  /** Count and digest of the whole set, with a checkpoint per page (its type, the id it ends at, its digest). */
  async function digest(s: Pick<Snapshot, 'u' | 't' | 'f' | 'at'>): Promise<{ n: number; d: string; pages: Checkpoint[] }> {
    const hash = createHash('sha256');
    const pages: Checkpoint[] = [];
    let n = 0;
    for await (const page of matching(s)) {
      for (const id of page.ids) hash.update(`${page.type}:${id}\n`);
      pages.push({ type: page.type, last: page.ids[page.ids.length - 1]!, digest: pageDigest(page.type, page.ids) });
      n += page.ids.length;
    }
    return { n, d: hash.digest('base64url'), pages };
  }

  function decode(p: Principal, token: string): Snapshot {
    const invalid = () => validationError('snapshotToken', 'is not a snapshot token this server issued');
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined || !safeEqual(mac(body), sig)) throw invalid();
    let s: Snapshot;
    try {
      s = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Snapshot;
    } catch {
      throw invalid();
    }
    if (s.u !== p.userId) throw new AppError('CONFLICT', 'This snapshot token belongs to another account');
    if (deps.clock.now() > s.e) throw new AppError('CONFLICT', 'The snapshot token has expired: run the dry run again');
    return s;
  }

  async function removeAll(p: Principal, type: MediaType, ids: string[]): Promise<number> {
    const source = sources.get(type)!;
    if (source.removeBatch) return (await source.removeBatch(p, ids)).length;
    let deleted = 0;
    for (let i = 0; i < ids.length; i += CONCURRENCY) {
      const settled = await Promise.allSettled(ids.slice(i, i + CONCURRENCY).map((id) => source.remove(p, id)));
      for (const r of settled) {
        if (r.status === 'fulfilled') deleted++;
        else if (!(r.reason instanceof AppError)) throw r.reason;
      }
    }
    return deleted;
  }

  return {
    async preview(p: Principal, input: BulkPreviewInput): Promise<BulkPreview> {
      const at = deps.clock.now();
      const s = { u: p.userId, t: typesOf(input.resourceType), f: filtersOf(input.filters), at };
      const { n, d } = await digest(s);
      const e = at + TOKEN_TTL_MS;
      const body = Buffer.from(JSON.stringify({ ...s, n, d, e } satisfies Snapshot)).toString('base64url');
      return { count: n, snapshotToken: `${body}.${mac(body)}`, expiresAt: toIso(e) };
    },

    async execute(p: Principal, input: { snapshotToken?: string | undefined; confirmCount?: number | undefined }): Promise<BulkResult> {
      if (input.snapshotToken === undefined) throw validationError('snapshotToken', 'is required when dryRun=false');
      if (input.confirmCount === undefined) throw validationError('confirmCount', 'is required when dryRun=false');
      const s = decode(p, input.snapshotToken);
      if (input.confirmCount !== s.n) throw new AppError('CONFLICT', `confirmCount ${input.confirmCount} does not match the snapshot's count ${s.n}`);
      const now = await digest(s);
      if (now.n !== s.n || now.d !== s.d) throw new AppError('CONFLICT', 'The matching items changed since the dry run: run it again');
      const filters: BulkFilters = { ...s.f, userId: s.u, createdUpTo: s.at };
      let deleted = 0;
      let seen = 0;
      let prev: Checkpoint | undefined;
      for (const page of now.pages) {
        const afterId = prev?.type === page.type ? prev.last : undefined;
        prev = page;
        const ids = await deps.media.bulkIds(page.type, filters, PAGE, afterId, page.last);
        if (pageDigest(page.type, ids) !== page.digest) {
          throw new AppError('CONFLICT', `The matching items changed during the deletion: ${deleted} of ${s.n} were deleted, the rest were left alone; run the dry run again`, { deleted });
        }
        seen += ids.length;
        deleted += await removeAll(p, page.type, ids);
      }
      return { count: s.n, deleted, failed: seen - deleted };
    },
  };
}

export type BulkDeleteService = ReturnType<typeof createBulkDeleteService>;

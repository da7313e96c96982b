// The soak benchmark's view of the library and its tally of answers. The pool holds the images the client
// knows to exist; an image is taken out of it *before* its delete is sent and is never deleted while another
// request that expects it to exist is in flight (`hold`), so every expected status is exact. Pinned images
// (the first ones uploaded) are never deleted: repeated transforms of them are the cache hits.
import type { HttpAnswer } from './soak-http.js';

export type LiveImage = {
  id: string;
  ext: string;
  /** The media path, `/{id}.{ext}`. */
  path: string;
  sha256: string;
  sizeBytes: number;
  isPublic: boolean;
  pinned: boolean;
  busy: number;
  /** The ETag of its original, once it has been delivered. */
  etag?: string;
};

const pickOne = <T>(xs: T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];

export class ImagePool {
  readonly live = new Map<string, LiveImage>();
  /** Bytes of recently uploaded images, for duplicate uploads (bounded). */
  private readonly recentBytes = new Map<string, Buffer>();

  constructor(private readonly keepBytes = 32) {}

  add(img: LiveImage, data?: Buffer): void {
    this.live.set(img.id, img);
    if (data && !img.pinned) {
      this.recentBytes.set(img.id, data);
      if (this.recentBytes.size > this.keepBytes) this.recentBytes.delete(this.recentBytes.keys().next().value!);
    }
  }

  /** Images that can be deleted (not pinned), whether or not they are busy. */
  get deletableCount(): number {
    let n = 0;
    for (const img of this.live.values()) if (!img.pinned) n++;
    return n;
  }

  pick(filter: (img: LiveImage) => boolean = () => true): LiveImage | undefined {
    return pickOne([...this.live.values()].filter(filter));
  }

  pinned(): LiveImage[] {
    return [...this.live.values()].filter((i) => i.pinned);
  }

  /** A live image whose bytes are still at hand, with them. */
  pickWithBytes(): { img: LiveImage; data: Buffer } | undefined {
    const ids = [...this.recentBytes.keys()].filter((id) => this.live.has(id));
    const id = pickOne(ids);
    return id ? { img: this.live.get(id)!, data: this.recentBytes.get(id)! } : undefined;
  }

  /** Takes up to `n` idle, unpinned images out of the pool for deletion. */
  takeForDelete(n: number): LiveImage[] {
    const idle = [...this.live.values()].filter((i) => !i.pinned && i.busy === 0);
    const out: LiveImage[] = [];
    while (out.length < n && idle.length > 0) out.push(idle.splice(Math.floor(Math.random() * idle.length), 1)[0]!);
    for (const img of out) {
      this.live.delete(img.id);
      this.recentBytes.delete(img.id);
    }
    return out;
  }

  /** Runs `fn` while `imgs` may not be deleted. */
  async hold<T>(imgs: LiveImage[], fn: () => Promise<T>): Promise<T> {
    for (const i of imgs) i.busy++;
    try {
      return await fn();
    } finally {
      for (const i of imgs) i.busy--;
    }
  }
}

export type ErrorKind = 'timeout' | 'connection' | '5xx' | 'unexpected status' | 'wrong answer';

export type KindTally = {
  count: number;
  statuses: Record<string, number>;
  errors: Partial<Record<ErrorKind, number>>;
  latenciesMs: number[];
};

export type ErrorSample = { atS: number; kind: string; request: string; status: number; expected: number[]; error: ErrorKind; detail: string };

export class Tally {
  readonly kinds = new Map<string, KindTally>();
  readonly classes: Record<string, number> = {};
  readonly samples: ErrorSample[] = [];
  errors = 0;

  constructor(private readonly t0: number, private readonly maxSamples = 40) {}

  record(kind: string, request: string, a: HttpAnswer, expected: number[], problem: string | undefined): void {
    let k = this.kinds.get(kind);
    if (!k) this.kinds.set(kind, (k = { count: 0, statuses: {}, errors: {}, latenciesMs: [] }));
    k.count++;
    k.latenciesMs.push(a.ms);
    const status = a.status === 0 ? (a.error === 'timeout' ? 'timeout' : 'no answer') : String(a.status);
    k.statuses[status] = (k.statuses[status] ?? 0) + 1;
    const cls = a.status === 0 ? status : `${String(a.status)[0]}xx`;
    this.classes[cls] = (this.classes[cls] ?? 0) + 1;
    const error: ErrorKind | undefined =
      a.error === 'timeout' ? 'timeout'
        : a.status === 0 ? 'connection'
          : a.status >= 500 ? '5xx'
            : !expected.includes(a.status) ? 'unexpected status'
              : problem ? 'wrong answer' : undefined;
    if (!error) return;
    this.errors++;
    k.errors[error] = (k.errors[error] ?? 0) + 1;
    if (this.samples.length < this.maxSamples) {
      const detail = a.error ?? problem ?? a.body.subarray(0, 300).toString('utf8');
      this.samples.push({ atS: (performance.now() - this.t0) / 1000, kind, request, status: a.status, expected, error, detail });
    }
  }

  get requests(): number {
    let n = 0;
    for (const k of this.kinds.values()) n += k.count;
    return n;
  }
}

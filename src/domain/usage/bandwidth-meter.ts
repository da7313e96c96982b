// Counts served bytes per owner and day in memory and writes them in batches (no database write per
// request): each flush adds an owner's bytes to the month and to the day (usage history) in one transaction.
// Answers "is this owner over the monthly limit" from a short-lived cache of the stored total plus what is
// still pending here.
import type { UsageRepo } from '../../db/repos/usage.repo.js';
import type { Clock } from '../../lib/clock.js';

let lastMonth = { from: 0, to: -1, month: '' };
/** 'YYYY-MM' of a time; remembered for the rest of that month (this runs on every served request). */
function monthOf(ms: number): string {
  if (ms >= lastMonth.from && ms < lastMonth.to) return lastMonth.month;
  const d = new Date(ms);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  lastMonth = { from, to, month: d.toISOString().slice(0, 7) };
  return lastMonth.month;
}

let lastDay = { from: 0, to: -1, day: '' };
/** 'YYYY-MM-DD' (UTC) of a time; remembered for the rest of that day. */
function dayOf(ms: number): string {
  if (ms >= lastDay.from && ms < lastDay.to) return lastDay.day;
  const from = Math.floor(ms / 86_400_000) * 86_400_000;
  lastDay = { from, to: from + 86_400_000, day: new Date(from).toISOString().slice(0, 10) };
  return lastDay.day;
}

type Options = {
  flushEveryMs?: number;
  cacheMs?: number;
  log: { warn(obj: object, msg: string): void };
  /** Which monthly counter: image delivery (default) or media (video playlists and segments). */
  kind?: 'img' | 'media';
};

export function createBandwidthMeter(usage: UsageRepo, clock: Clock, opts: Options) {
  /** By owner and day: what the next flush writes. */
  const pending = new Map<string, { month: string; day: string; bytes: number }>();
  /** By owner and month: the same bytes, for used(). */
  const pendingMonth = new Map<string, number>();
  const stored = new Map<string, { month: string; bytes: number; at: number }>();
  const cacheMs = opts.cacheMs ?? 10_000;
  const kind = opts.kind ?? 'img';
  let flushing: Promise<void> | undefined;

  async function flush(): Promise<void> {
    if (flushing) return flushing;
    if (pending.size === 0) return;
    const batch = [...pending.entries()].map(([key, v]) => ({ userId: key.slice(0, key.lastIndexOf('|')), month: v.month, day: v.day, bytes: v.bytes }));
    pending.clear();
    pendingMonth.clear();
    flushing = (async () => {
      for (const entry of batch) {
        try {
          await usage.addBandwidth([entry], kind);
          const s = stored.get(entry.userId);
          if (s && s.month === entry.month) s.bytes += entry.bytes;
        } catch (err) {
          opts.log.warn({ err, userId: entry.userId }, 'bandwidth: could not record served bytes (account deleted?)');
        }
      }
    })().finally(() => (flushing = undefined));
    return flushing;
  }

  const timer = setInterval(() => void flush(), opts.flushEveryMs ?? 5_000);
  timer.unref();

  return {
    record(userId: string, bytes: number): void {
      if (bytes <= 0) return;
      const now = clock.now();
      const month = monthOf(now);
      const day = dayOf(now);
      // keyed by user and day, so bytes of a day (or month) that just ended are still written to that day
      const key = `${userId}|${day}`;
      const p = pending.get(key);
      if (p) p.bytes += bytes;
      else pending.set(key, { month, day, bytes });
      const monthKey = `${userId}|${month}`;
      pendingMonth.set(monthKey, (pendingMonth.get(monthKey) ?? 0) + bytes);
    },

    /** Bytes served this month to the owner's images: stored total (cached) + pending here. */
    async used(userId: string): Promise<number> {
      const now = clock.now();
      const month = monthOf(now);
      let s = stored.get(userId);
      if (!s || s.month !== month || now - s.at > cacheMs) {
        s = { month, bytes: await usage.bandwidth(userId, month, kind), at: now };
        stored.set(userId, s);
      }
      return s.bytes + (pendingMonth.get(`${userId}|${month}`) ?? 0);
    },

    flush,

    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}

export type BandwidthMeter = ReturnType<typeof createBandwidthMeter>;

// Rate limits (CONTRACT §8): tiers per account (anonymous traffic per IP), auth endpoints per IP, admin ×10,
// and a budget of failed credentials per IP (a wrong API key or token costs one; once spent, the address
// cannot present credentials until the window resets, so keys cannot be guessed at request rate).
// Counters live in Redis when configured, so every instance sharing that Redis shares the budget; if Redis
// fails, an in-memory insurance limiter keeps the server answering with per-instance limits.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../../errors/app-error.js';

export type Tier = 'read' | 'upload' | 'mutation' | 'auth';
export type TierLimits = { perWindow: number; burst: number; windowSeconds: number };
type Budget = Tier | 'hourly' | 'failedAuth';
export type RateLimitSettings = Record<Budget, TierLimits>;

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  read: { perWindow: 600, burst: 30, windowSeconds: 60 },
  upload: { perWindow: 60, burst: 5, windowSeconds: 60 },
  mutation: { perWindow: 120, burst: 10, windowSeconds: 60 },
  auth: { perWindow: 20, burst: 0, windowSeconds: 60 },
  hourly: { perWindow: 5000, burst: 0, windowSeconds: 3600 },
  failedAuth: { perWindow: 30, burst: 0, windowSeconds: 60 },
};

export type LimitState = { limit: number; remaining: number; resetSeconds: number; resetAt: string };

type Pair = { main: RateLimiterAbstract; burst: RateLimiterAbstract | undefined; limits: TierLimits };

type Deps = {
  settings: RateLimitSettings;
  redis?: unknown;
  keyPrefix: string;
  now: () => number;
  onRedisError?: (err: unknown) => void;
};

export function createRateLimits(deps: Deps) {
  const make = (name: string, points: number, duration: number): RateLimiterAbstract => {
    const keyPrefix = `${deps.keyPrefix}:rl:${name}`;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    if (!deps.redis) return memory;
    const insurance = new RateLimiterMemory({ keyPrefix: `${keyPrefix}:ins`, points, duration });
    const redis = new RateLimiterRedis({ storeClient: deps.redis, keyPrefix, points, duration, insuranceLimiter: insurance, rejectIfRedisNotReady: true });
    return redis;
  };

  const limiters = new Map<string, Pair>();
  function pair(tier: Budget, admin: boolean): Pair {
    const id = `${tier}:${admin ? 'admin' : 'std'}`;
    let p = limiters.get(id);
    if (!p) {
      const base = deps.settings[tier];
      const factor = admin && tier !== 'auth' && tier !== 'failedAuth' ? 10 : 1;
      const limits = { ...base, perWindow: base.perWindow * factor, burst: base.burst * factor };
      p = {
        limits,
        main: make(`${tier}${admin ? ':x10' : ''}`, limits.perWindow, limits.windowSeconds),
        burst: limits.burst > 0 ? make(`${tier}${admin ? ':x10' : ''}:burst`, limits.burst, limits.windowSeconds) : undefined,
      };
      limiters.set(id, p);
    }
    return p;
  }

  const state = (limit: number, remaining: number, msBeforeNext: number): LimitState => {
    const resetSeconds = Math.max(0, Math.ceil(msBeforeNext / 1000));
    return { limit, remaining: Math.max(0, remaining), resetSeconds, resetAt: new Date(deps.now() + resetSeconds * 1000).toISOString() };
  };

  function rejected(tier: string, limits: TierLimits, res: RateLimiterRes, message?: string): AppError {
    const retryAfterSec = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    const per = limits.windowSeconds === 3600 ? 'hour' : 'minute';
    return new AppError(
      'RATE_LIMITED',
      message ?? `Rate limit exceeded (${tier}): ${limits.perWindow}${limits.burst ? ` + ${limits.burst} burst` : ''} per ${per}`,
      { retryAfterSec, tier },
      {
        'retry-after': String(retryAfterSec),
        ...Object.fromEntries(
          ['', 'x-'].flatMap((x) => [
            [`${x}ratelimit-limit`, String(limits.perWindow)],
            [`${x}ratelimit-remaining`, '0'],
            [`${x}ratelimit-reset`, String(retryAfterSec)],
          ]),
        ),
      },
    );
  }

  async function take(p: Pair, tier: string, key: string): Promise<LimitState> {
    try {
      const res = await p.main.consume(key);
      return state(p.limits.perWindow, res.remainingPoints, res.msBeforeNext);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) {
        deps.onRedisError?.(err);
        return state(p.limits.perWindow, p.limits.perWindow, p.limits.windowSeconds * 1000);
      }
      if (!p.burst) throw rejected(tier, p.limits, err);
      try {
        await p.burst.consume(key);
        return state(p.limits.perWindow, 0, err.msBeforeNext);
      } catch (burstErr) {
        if (!(burstErr instanceof RateLimiterRes)) throw burstErr;
        throw rejected(tier, p.limits, err);
      }
    }
  }

  return {
    /** Consumes one request of `tier` (and of the hourly budget for accounts); throws RATE_LIMITED. */
    async consume(tier: Tier, subject: { key: string; admin: boolean; account: boolean }): Promise<LimitState> {
      const result = await take(pair(tier, subject.admin), tier, subject.key);
      if (subject.account) await take(pair('hourly', subject.admin), 'hourly', subject.key);
      return result;
    },

    /**
     * Throws RATE_LIMITED when the address has spent its failed-credential budget; consumes nothing. Asked
     * before credentials are checked, so a refused address learns nothing about the keys it tries.
     */
    async assertCredentialsAllowed(ip: string): Promise<void> {
      const p = pair('failedAuth', false);
      let res: RateLimiterRes | null = null;
      try {
        res = await p.main.get(`ip:${ip}`);
      } catch (err) {
        deps.onRedisError?.(err);
      }
      if (res && res.consumedPoints >= p.limits.perWindow) {
        const retry = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw rejected('failed_auth', p.limits, res, `Too many failed authentications from this address: retry in ${retry} s`);
      }
    },

    /** Counts one failed authentication (bad API key or token) against the address. */
    async recordFailedCredentials(ip: string): Promise<void> {
      try {
        await pair('failedAuth', false).main.penalty(`ip:${ip}`, 1);
      } catch (err) {
        deps.onRedisError?.(err);
      }
    },

    /** The state of every tier for an account, without consuming anything. */
    async status(subject: { key: string; admin: boolean }): Promise<Record<'read' | 'upload' | 'mutation' | 'hourly', LimitState>> {
      const one = async (tier: 'read' | 'upload' | 'mutation' | 'hourly') => {
        const p = pair(tier, subject.admin);
        let res: RateLimiterRes | null = null;
        try {
          res = await p.main.get(subject.key);
        } catch (err) {
          deps.onRedisError?.(err);
        }
        return res
          ? state(p.limits.perWindow, p.limits.perWindow - res.consumedPoints, res.msBeforeNext)
          : state(p.limits.perWindow, p.limits.perWindow, p.limits.windowSeconds * 1000);
      };
      const [read, upload, mutation, hourly] = await Promise.all([one('read'), one('upload'), one('mutation'), one('hourly')]);
      return { read, upload, mutation, hourly };
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;

// Every setting Picora reads, in one schema, parsed once. Only this folder reads process.env.
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Int = (min: number, max: number, def: number) => Type.Integer({ minimum: min, maximum: max, default: def });
const Url = Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' });

const EnvSchema = Type.Object({
  PICORA_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  PICORA_PORT: Int(0, 65535, 8787),
  PICORA_DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  PICORA_DATABASE_URL: Type.Optional(Type.String({ pattern: '^(postgres|postgresql)://' })),
  PICORA_STORAGE: Type.Union([Type.Literal('local'), Type.Literal('s3')], { default: 'local' }),
  PICORA_S3_ENDPOINT: Type.Optional(Url),
  PICORA_S3_BUCKET: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' })),
  PICORA_S3_REGION: Type.String({ minLength: 1, default: 'us-east-1' }),
  PICORA_S3_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  PICORA_S3_SECRET_KEY: Type.Optional(Type.String({ minLength: 1 })),
  PICORA_PUBLIC_URL: Type.Optional(Url),
  PICORA_MEDIA_BASE_URL: Type.Optional(Url),
  PICORA_JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  PICORA_ACCESS_TOKEN_TTL_SECONDS: Int(30, 86_400, 900),
  PICORA_REFRESH_TOKEN_TTL_SECONDS: Int(300, 90 * 86_400, 7 * 86_400),
  PICORA_SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  PICORA_MAIL_FROM: Type.String({ minLength: 3, default: 'Picora <no-reply@localhost>' }),
  PICORA_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  PICORA_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  PICORA_BODY_LIMIT_BYTES: Int(1024, 10 * 1024 * 1024, 1024 * 1024),
  PICORA_TRUST_PROXY: Type.Boolean({ default: false }),
  PICORA_RENDER_CONCURRENCY: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  PICORA_REDIS_PREFIX: Type.String({ pattern: '^[A-Za-z0-9:_-]{1,64}$', default: 'picora' }),
  PICORA_RATE_READ_PER_MIN: Int(1, 1_000_000, 600),
  PICORA_RATE_UPLOAD_PER_MIN: Int(1, 1_000_000, 60),
  PICORA_RATE_MUTATION_PER_MIN: Int(1, 1_000_000, 120),
  PICORA_RATE_AUTH_PER_MIN: Int(1, 1_000_000, 20),
  PICORA_RATE_PER_HOUR: Int(1, 100_000_000, 5000),
  PICORA_RATE_FAILED_AUTH_PER_MIN: Int(1, 1_000_000, 30),
  PICORA_DELIVERY_CACHE_MS: Int(0, 60_000, 1000),
  PICORA_METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  PICORA_RENDERS_PER_IP_PER_MIN: Int(1, 100_000_000, 600),
  PICORA_MAX_IMAGE_SIDE: Int(256, 65_535, 16_384),
  PICORA_RENDER_TIMEOUT_MS: Int(100, 600_000, 8_000),
  PICORA_UPLOAD_PROCESS_TIMEOUT_MS: Int(100, 3_600_000, 30_000),
  PICORA_SHUTDOWN_TIMEOUT_MS: Int(100, 600_000, 10_000),
  PICORA_VARIANT_CACHE_MB: Int(0, 16_384, 128),
  PICORA_ORIGINAL_CACHE_MB: Int(0, 16_384, 128),
  PICORA_UPLOAD_RESERVATION_TTL_MS: Int(1_000, 7 * 86_400_000, 15 * 60_000),
  PICORA_TUS_EXPIRY_MS: Int(60_000, 30 * 86_400_000, 86_400_000),
  PICORA_TRASH_DAYS: Int(1, 3650, 30),
  PICORA_JOBS_BACKEND: Type.Union([Type.Literal('auto'), Type.Literal('table'), Type.Literal('bullmq')], { default: 'auto' }),
  PICORA_JOBS_POLL_MS: Int(50, 60_000, 1_000),
  PICORA_JOBS_LEASE_MS: Int(1_000, 3_600_000, 120_000),
  PICORA_TRANSCODE_CONCURRENCY: Int(0, 16, 1),
  PICORA_TRANSCODE_THREADS: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  PICORA_TRANSCODE_NICE: Int(0, 19, 10),
  PICORA_FFMPEG_PATH: Type.String({ minLength: 1, default: 'ffmpeg' }),
  PICORA_FFPROBE_PATH: Type.String({ minLength: 1, default: 'ffprobe' }),
  PICORA_PLAYBACK_URL_TTL_SECONDS: Int(60, 7 * 86_400, 6 * 3600),
  PICORA_FETCH_ALLOW_HOSTS: Type.Optional(Type.String({ maxLength: 4096 })),
  PICORA_FETCH_TIMEOUT_MS: Int(100, 300_000, 30_000),
  PICORA_WEBHOOK_TIMEOUT_MS: Int(100, 60_000, 10_000),
  PICORA_WEBHOOK_MAX_ATTEMPTS: Int(1, 20, 8),
  PICORA_WEBHOOK_RETRY_BASE_MS: Int(10, 3_600_000, 30_000),
  PICORA_WEBHOOK_DISABLE_AFTER: Int(1, 1000, 5),
  PICORA_DNS_SERVERS: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F.:\\[\\],]+$' })),
  PICORA_CNAME_TARGET: Type.Optional(Type.String({ pattern: '^[a-z0-9.-]{1,253}$' })),
});
type Env = Static<typeof EnvSchema>;

export type Config = {
  host: string;
  port: number;
  dataDir: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  storage:
    | { kind: 'local'; root: string }
    | { kind: 's3'; endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string };
  publicUrl: string;
  mediaBaseUrl: string;
  jwtSecret: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  redisUrl: string | undefined;
  logLevel: string;
  bodyLimitBytes: number;
  trustProxy: boolean;
  redisPrefix: string;
  /** failedAuthPerMin: failed authentications (bad API keys or tokens) one client address may make per minute. */
  rateLimits: { readPerMin: number; uploadPerMin: number; mutationPerMin: number; authPerMin: number; perHour: number; failedAuthPerMin: number };
  /** Media worker processes (renders and upload preparations at once): sized to the cores unless set. */
  renderConcurrency: number;
  /** Hard time budget of one render; past it the worker process is killed and the variant refused. */
  renderTimeoutMs: number;
  /** Hard time budget for preparing one upload (SVG sanitising, HEIC decoding, verifying decode, placeholder). */
  uploadProcessTimeoutMs: number;
  /** How long a SIGTERM/SIGINT waits for in-flight requests before the process ends anyway. */
  shutdownTimeoutMs: number;
  /** How long the media host may reuse an image row (owner plans: 5×); 0 reads the database every time. */
  deliveryCacheMs: number;
  /** When set, GET /metrics wants this bearer token. */
  metricsToken: string | undefined;
  /** Uncached renders one client address may cause per minute. */
  rendersPerIpPerMin: number;
  /** Longest side an uploaded image may have (decoding memory grows with width). */
  maxImageSide: number;
  variantCacheBytes: number;
  originalCacheBytes: number;
  /** How long an upload may hold its quota reservation; past it, a sweep takes the upload for abandoned (its process died). */
  uploadReservationTtlMs: number;
  /** Resumable (tus) uploads: how long a session may take from creation to its last byte before it is swept. */
  tusExpiryMs: number;
  /** Days an image stays in the trash before the periodic sweep deletes it for real. */
  trashDays: number;
  /** Durable jobs: 'table' (our database), 'bullmq' (Redis), 'auto' = bullmq when Redis is configured. */
  jobs: { backend: 'table' | 'bullmq'; pollMs: number; leaseMs: number };
  /**
   * Video transcodes: jobs at once in this process (0 = this process runs none: another `work` process does),
   * ffmpeg threads each, and the CPU niceness they run at.
   */
  transcode: { concurrency: number; threads: number; nice: number; ffmpegPath: string; ffprobePath: string };
  /** Lifetime of a private video's signed playback URL handed out by the API. */
  playbackUrlTtlSeconds: number;
  /**
   * Upload from URL: addresses it may fetch from although they are not public (`IP:port`, `[IPv6]:port`: that
   * address on that port; a CIDR: those addresses on ports 80/443). It exists for tests and for trusted
   * internal sources only: every entry opens a hole in the SSRF guard. Empty by default.
   */
  fetchAllowList: string[];
  /** Upload from URL: the whole fetch (every redirect, the headers and the body) must be done within this. */
  fetchTimeoutMs: number;
  /**
   * Outbound webhooks: each POST's deadline, attempts per delivery and the first retry delay (doubling), and how
   * many deliveries in a row may fail (all attempts spent) before the endpoint is disabled and its owner mailed.
   * Their targets go through the same SSRF guard as upload from URL, with the same allow-list.
   */
  webhooks: { timeoutMs: number; maxAttempts: number; retryBaseMs: number; disableAfter: number };
  /** Custom domains: the DNS servers that verify CNAMEs (empty: the system's), and the host a CNAME must name. */
  domains: { dnsServers: string[]; cnameTarget: string };
  version: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment once; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env, version = '0.0.0'): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw));
  const problems = [...Value.Errors(EnvSchema, converted)].map(
    (e) => `${e.path.slice(1) || 'environment'}: ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`}`,
  );
  const e = converted as Env;
  if (problems.length === 0 && e.PICORA_STORAGE === 's3') {
    for (const key of ['PICORA_S3_ENDPOINT', 'PICORA_S3_BUCKET', 'PICORA_S3_ACCESS_KEY', 'PICORA_S3_SECRET_KEY'] as const) {
      if (!e[key]) problems.push(`${key}: required when PICORA_STORAGE=s3`);
    }
  }
  if (problems.length === 0 && e.PICORA_JOBS_BACKEND === 'bullmq' && !e.PICORA_REDIS_URL) {
    problems.push('PICORA_JOBS_BACKEND: bullmq needs PICORA_REDIS_URL');
  }
  const fetchAllowList = (e.PICORA_FETCH_ALLOW_HOSTS ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const entry of fetchAllowList) {
    if (!isAllowEntry(entry)) problems.push(`PICORA_FETCH_ALLOW_HOSTS: "${entry}" is not IP:port, [IPv6]:port or a CIDR`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(e.PICORA_DATA_DIR);
  const shownHost = e.PICORA_HOST === '0.0.0.0' || e.PICORA_HOST === '::' ? '127.0.0.1' : e.PICORA_HOST;
  const publicUrl = trimSlash(e.PICORA_PUBLIC_URL ?? `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${e.PICORA_PORT}`);
  return {
    host: e.PICORA_HOST,
    port: e.PICORA_PORT,
    dataDir,
    database: e.PICORA_DATABASE_URL
      ? { kind: 'postgres', url: e.PICORA_DATABASE_URL }
      : { kind: 'sqlite', file: path.join(dataDir, 'picora.db') },
    storage:
      e.PICORA_STORAGE === 's3'
        ? {
            kind: 's3',
            endpoint: e.PICORA_S3_ENDPOINT!,
            bucket: e.PICORA_S3_BUCKET!,
            region: e.PICORA_S3_REGION,
            accessKeyId: e.PICORA_S3_ACCESS_KEY!,
            secretAccessKey: e.PICORA_S3_SECRET_KEY!,
          }
        : { kind: 'local', root: path.join(dataDir, 'blobs') },
    publicUrl,
    mediaBaseUrl: trimSlash(e.PICORA_MEDIA_BASE_URL ?? publicUrl),
    jwtSecret: e.PICORA_JWT_SECRET,
    accessTokenTtlSeconds: e.PICORA_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.PICORA_REFRESH_TOKEN_TTL_SECONDS,
    smtpUrl: e.PICORA_SMTP_URL,
    mailFrom: e.PICORA_MAIL_FROM,
    redisUrl: e.PICORA_REDIS_URL,
    logLevel: e.PICORA_LOG_LEVEL,
    bodyLimitBytes: e.PICORA_BODY_LIMIT_BYTES,
    trustProxy: e.PICORA_TRUST_PROXY,
    redisPrefix: e.PICORA_REDIS_PREFIX,
    rateLimits: {
      readPerMin: e.PICORA_RATE_READ_PER_MIN,
      uploadPerMin: e.PICORA_RATE_UPLOAD_PER_MIN,
      mutationPerMin: e.PICORA_RATE_MUTATION_PER_MIN,
      authPerMin: e.PICORA_RATE_AUTH_PER_MIN,
      perHour: e.PICORA_RATE_PER_HOUR,
      failedAuthPerMin: e.PICORA_RATE_FAILED_AUTH_PER_MIN,
    },
    renderConcurrency: e.PICORA_RENDER_CONCURRENCY ?? availableParallelism(),
    deliveryCacheMs: e.PICORA_DELIVERY_CACHE_MS,
    metricsToken: e.PICORA_METRICS_TOKEN,
    rendersPerIpPerMin: e.PICORA_RENDERS_PER_IP_PER_MIN,
    maxImageSide: e.PICORA_MAX_IMAGE_SIDE,
    renderTimeoutMs: e.PICORA_RENDER_TIMEOUT_MS,
    uploadProcessTimeoutMs: e.PICORA_UPLOAD_PROCESS_TIMEOUT_MS,
    shutdownTimeoutMs: e.PICORA_SHUTDOWN_TIMEOUT_MS,
    variantCacheBytes: e.PICORA_VARIANT_CACHE_MB * 1024 * 1024,
    originalCacheBytes: e.PICORA_ORIGINAL_CACHE_MB * 1024 * 1024,
    uploadReservationTtlMs: e.PICORA_UPLOAD_RESERVATION_TTL_MS,
    tusExpiryMs: e.PICORA_TUS_EXPIRY_MS,
    trashDays: e.PICORA_TRASH_DAYS,
    jobs: {
      backend: e.PICORA_JOBS_BACKEND === 'auto' ? (e.PICORA_REDIS_URL ? 'bullmq' : 'table') : e.PICORA_JOBS_BACKEND,
      pollMs: e.PICORA_JOBS_POLL_MS,
      leaseMs: e.PICORA_JOBS_LEASE_MS,
    },
    transcode: {
      concurrency: e.PICORA_TRANSCODE_CONCURRENCY,
      threads: e.PICORA_TRANSCODE_THREADS ?? Math.max(1, availableParallelism() - 1),
      nice: e.PICORA_TRANSCODE_NICE,
      ffmpegPath: e.PICORA_FFMPEG_PATH,
      ffprobePath: e.PICORA_FFPROBE_PATH,
    },
    playbackUrlTtlSeconds: e.PICORA_PLAYBACK_URL_TTL_SECONDS,
    fetchAllowList,
    fetchTimeoutMs: e.PICORA_FETCH_TIMEOUT_MS,
    webhooks: {
      timeoutMs: e.PICORA_WEBHOOK_TIMEOUT_MS, maxAttempts: e.PICORA_WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.PICORA_WEBHOOK_RETRY_BASE_MS, disableAfter: e.PICORA_WEBHOOK_DISABLE_AFTER,
    },
    domains: {
      dnsServers: (e.PICORA_DNS_SERVERS ?? '').split(',').map((x) => x.trim()).filter(Boolean),
      cnameTarget: e.PICORA_CNAME_TARGET ?? new URL(trimSlash(e.PICORA_MEDIA_BASE_URL ?? publicUrl)).hostname,
    },
    version,
  };
}

/** `IP:port`, `[IPv6]:port`, `IP/prefix` or a bare IP (host names are refused: they are no pin). */
function isAllowEntry(entry: string): boolean {
  const withPort = /^\[([^\]]+)\]:(\d{1,5})$/.exec(entry) ?? /^([\d.]+):(\d{1,5})$/.exec(entry);
  if (withPort) return isIP(withPort[1]!) !== 0 && Number(withPort[2]) >= 1 && Number(withPort[2]) <= 65535;
  const [ip = '', prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || isIP(ip) === 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (isIP(ip) === 4 ? 32 : 128));
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

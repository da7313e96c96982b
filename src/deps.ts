// Builds every dependency from the configuration. Called by main.ts (the composition root) and by tests,
// which pass their own configuration and clock.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { createDb, type DbHandle } from './db/db.js';
import { migrateToLatest } from './db/migrate.js';
import { createApiKeysRepo } from './db/repos/api-keys.repo.js';
import { createCodesRepo } from './db/repos/codes.repo.js';
import { createImagesRepo } from './db/repos/images.repo.js';
import { createUsageRepo } from './db/repos/usage.repo.js';
import { createVariantsRepo } from './db/repos/variants.repo.js';
import { createWatermarksRepo } from './db/repos/watermarks.repo.js';
import { createPlansRepo } from './db/repos/plans.repo.js';
import { createSessionsRepo } from './db/repos/sessions.repo.js';
import { createUsersRepo } from './db/repos/users.repo.js';
import { createVideosRepo } from './db/repos/videos.repo.js';
import { createAudioRepo } from './db/repos/audio.repo.js';
import { createAudioService, type AudioService } from './domain/audio/audio.service.js';
import { createAudioUploadService, type AudioUploadService } from './domain/audio/audio-upload.service.js';
import { createAudioDeliveryService, type AudioDeliveryService } from './domain/audio/audio-delivery.service.js';
import { createAudioSigner } from './domain/audio/audio-signing.js';
import { audioSource } from './domain/audio/audio-source.js';
import { createDomainsRepo } from './db/repos/domains.repo.js';
import { createDomainsService, type DomainsService } from './domain/domains/domains.service.js';
import { Resolver } from 'node:dns/promises';
import { createAuthenticator, type Authenticator } from './auth/authenticator.js';
import { createTokenSigner } from './auth/tokens.js';
import { createAccountsService, type AccountsService } from './domain/accounts/accounts.service.js';
import { createAdminService, type AdminService } from './domain/accounts/admin.service.js';
import { createSessionsService, type SessionsService } from './domain/accounts/sessions.service.js';
import { createVerificationCodes } from './domain/accounts/verification-codes.service.js';
import { createApiKeysService, type ApiKeysService } from './domain/api-keys/api-keys.service.js';
import { createDeliveryService, type DeliveryService } from './domain/images/delivery.service.js';
import { createDownloadZipService, type DownloadZipService } from './domain/images/download-zip.service.js';
import { createImagesService, type ImagesService } from './domain/images/images.service.js';
import { createTrashService, type TrashService } from './domain/images/trash.service.js';
import { registerTrashSweep } from './jobs/handlers/trash-sweep.job.js';
import { createUploadService, type UploadService } from './domain/images/upload.service.js';
import { createUrlSigner, type UrlSigner } from './domain/images/url-signing.js';
import { createVariantsService, type VariantsService } from './domain/images/variants.service.js';
import { createWatermarkOverlays } from './domain/watermarks/watermark-overlays.js';
import { createWatermarksService, type WatermarksService } from './domain/watermarks/watermarks.service.js';
import { createMediaWorkers, type MediaWorkers } from './media/worker/media-workers.js';
import { createTranscodeService } from './domain/videos/transcode.service.js';
import { createVideoDeliveryService, type VideoDeliveryService } from './domain/videos/video-delivery.service.js';
import { createPlaybackSigner } from './domain/videos/video-signing.js';
import { createVideoUploadService, type VideoUploadService } from './domain/videos/video-upload.service.js';
import { createVideosService, type VideosService } from './domain/videos/videos.service.js';
import { createJobQueue } from './jobs/create-queue.js';
import { createWebhooksRepo } from './db/repos/webhooks.repo.js';
import { createWebhookEvents } from './domain/webhooks/webhook-events.js';
import { createWebhookDelivery } from './domain/webhooks/webhook-delivery.service.js';
import { createWebhooksService, type WebhooksService } from './domain/webhooks/webhooks.service.js';
import { createCollectionsRepo } from './db/repos/collections.repo.js';
import { createCollectionsService, type CollectionsService } from './domain/collections/collections.service.js';
import { registerWebhookDeliverJob } from './jobs/handlers/webhook-deliver.job.js';
import { createAddressGuard } from './lib/safe-fetch.js';
import { createSafePoster } from './lib/safe-post.js';
import { presentImage } from './domain/images/image-presenter.js';
import { presentVideo } from './domain/videos/video-presenter.js';
import { createMediaRepo } from './db/repos/media.repo.js';
import { createSyncRepo } from './db/repos/sync.repo.js';
import { imageSource, videoSource } from './domain/media/media-sources.js';
import { createMediaService, type MediaService } from './domain/media/media.service.js';
import { createBulkDeleteService, type BulkDeleteService } from './domain/media/bulk-delete.service.js';
import { createSyncService, type SyncService } from './domain/sync/sync.service.js';
import { createAvatarsRepo } from './db/repos/avatars.repo.js';
import { createAvatarsService, type AvatarsService } from './domain/avatars/avatars.service.js';
import { registerTombstoneSweep } from './jobs/handlers/tombstone-sweep.job.js';
import { createTusUploadsRepo } from './db/repos/tus-uploads.repo.js';
import { createResumableUploadsService, type ResumableUploadsService } from './domain/uploads/resumable-uploads.service.js';
import { registerTusSweep } from './jobs/handlers/tus-sweep.job.js';
import { createTusDatastore } from './storage/tus-datastore.js';
import { registerStoragePurgeJob } from './jobs/handlers/storage-purge.job.js';
import { registerVideoTranscodeJob } from './jobs/handlers/video-transcode.job.js';
import type { JobInspector } from './jobs/job-runtime.js';
import type { JobQueue } from './jobs/queue.js';
import { checkFfmpeg } from './media/video/ffmpeg.js';
import { createBandwidthMeter, type BandwidthMeter } from './domain/usage/bandwidth-meter.js';
import { createQuotas } from './domain/usage/quotas.js';
import { createRateLimits, type RateLimits } from './domain/usage/rate-limits.js';
import { createUsageService, type UsageService } from './domain/usage/usage.service.js';
import { createUsageDailyRepo } from './db/repos/usage-daily.repo.js';
import { createUsageHistoryService, type UsageHistoryService } from './domain/usage/usage-history.service.js';
import { registerUsageDailyRollup } from './jobs/handlers/usage-daily.job.js';
import { startPeriodic } from './lib/periodic.js';
import { createRedis } from './lib/redis.js';
import { createSafeFetcher } from './lib/safe-fetch.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import type { ReadinessCheck } from './http/routes/health.routes.js';
import { systemClock, toIso, type Clock } from './lib/clock.js';
import { createOutboxMailer, createSmtpMailer, type Mailer } from './mail/mailer.js';
import type { BlobStore } from './storage/blob-store.js';
import { createBlobStore } from './storage/create-store.js';

export type Deps = {
  config: Config;
  clock: Clock;
  db: DbHandle;
  blobs: BlobStore;
  mailer: Mailer;
  authenticator: Authenticator;
  accounts: AccountsService;
  sessions: SessionsService;
  apiKeys: ApiKeysService;
  admin: AdminService;
  images: ImagesService;
  /** The image trash: DELETE …?trash=true, /v1/trash/images, the periodic sweep. */
  trash: TrashService;
  uploads: UploadService;
  delivery: DeliveryService;
  /** A selection of images as one streamed zip (POST /v1/images/download). */
  imageDownloads: DownloadZipService;
  variants: VariantsService;
  /** Worker processes for renders and upload preparation. */
  workers: MediaWorkers;
  watermarks: WatermarksService;
  videos: VideosService;
  videoUploads: VideoUploadService;
  videoDelivery: VideoDeliveryService;
  /** Audio (SPEC §9): the library, synchronous uploads (also the end of a resumable one) and the media host's files. */
  audio: AudioService;
  audioUploads: AudioUploadService;
  audioDelivery: AudioDeliveryService;
  /** Resumable (tus) uploads at /v1/uploads: sessions, their reservations and the finishing pipeline. */
  resumableUploads: ResumableUploadsService;
  /** The unified library (images, videos, audio), the two-step bulk delete and the sync feed. */
  media: MediaService;
  bulkDelete: BulkDeleteService;
  sync: SyncService;
  /** Users' avatars (re-encoded squares, outside every quota). */
  avatars: AvatarsService;
  domains: DomainsService;
  /** Outbound webhooks: endpoints, test-send and the delivery log. */
  webhooks: WebhooksService;
  /** Photo albums and filing items into them (cascade deletes go through the media sources). */
  collections: CollectionsService;
  /** Durable background jobs (transcodes, purges, sweeps). */
  jobs: JobQueue & JobInspector;
  usage: UsageService;
  /** Storage and bandwidth per day (GET /v1/usage/history) and the hourly round that samples and sweeps them. */
  usageHistory: UsageHistoryService;
  bandwidth: BandwidthMeter;
  rateLimits: RateLimits;
  metrics: Metrics;
  urlSigner: UrlSigner;
  readiness: ReadinessCheck[];
  close(): Promise<void>;
};

/** The JWT secret: from configuration, or generated once and kept in the data folder. */
export async function resolveJwtSecret(config: Config): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  const file = path.join(config.dataDir, 'jwt-secret');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch {
    // not there yet
  }
  await mkdir(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export type BuildOptions = {
  clock?: Clock;
  migrate?: boolean;
  defaultMetrics?: boolean;
  /** Run job handlers in this process (serve and tests; not the one-shot admin commands). */
  runJobs?: boolean;
};

export async function buildDeps(config: Config, log: Logger, options: BuildOptions = {}): Promise<Deps> {
  const clock = options.clock ?? systemClock;
  const db = createDb(config.database);
  if (options.migrate !== false) await migrateToLatest(db.db);
  const blobs = await createBlobStore(config.storage);
  const mailer = config.smtpUrl
    ? createSmtpMailer(config.smtpUrl, config.mailFrom)
    : createOutboxMailer(path.join(config.dataDir, 'outbox.jsonl'), log, clock.now);
  const secret = await resolveJwtSecret(config);
  const signer = createTokenSigner(secret, config.accessTokenTtlSeconds, clock.now);

  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  const users = createUsersRepo(db.db);
  const sessionsRepo = createSessionsRepo(db.db);
  const apiKeysRepo = createApiKeysRepo(db.db, db.dialect);
  const plans = createPlansRepo(db.db);

  const sessions = createSessionsService({ sessions: sessionsRepo, users, signer, clock, refreshTtlSeconds: config.refreshTokenTtlSeconds });
  const codes = createVerificationCodes({ codes: createCodesRepo(db.db), mailer, clock });
  const accounts = createAccountsService({ users, sessions, codes, blobs, clock, log });
  // Durable background jobs (transcodes, webhook deliveries, purges, sweeps).
  const jobs = createJobQueue({
    db, jobs: config.jobs, redisUrl: config.redisUrl, redisPrefix: config.redisPrefix, log,
    onFinished: (queue, outcome, seconds) => metrics.jobDuration.observe({ queue, outcome }, seconds),
  });
  metrics.setJobCounts(() => jobs.counts());
  // Outbound webhooks: events become signed deliveries, each a job; targets pass the SSRF guard of upload from URL.
  const webhooksRepo = createWebhooksRepo(db.db, db.dialect);
  const webhookEvents = createWebhookEvents({ webhooks: webhooksRepo, jobs, clock, log, maxAttempts: config.webhooks.maxAttempts });
  const usage = createUsageRepo(db.db);
  const usageHistory = createUsageHistoryService({ daily: createUsageDailyRepo(db.db), usage, clock });
  const bandwidth = createBandwidthMeter(usage, clock, { log });
  const mediaBandwidth = createBandwidthMeter(usage, clock, { log, kind: 'media' });
  const quotas = createQuotas({
    usage, bandwidth, mediaBandwidth, clock, reservations: { ttlMs: config.uploadReservationTtlMs, now: systemClock.now },
    onUsage: (userId, type, u) => webhookEvents.quotaUsage(userId, type, u),
  });
  const apiKeys = createApiKeysService({ apiKeys: apiKeysRepo, plans, quotas, clock, publicUrl: config.publicUrl });
  const admin = createAdminService({ users, plans, usage, clock, blobs });
  const imagesRepo = createImagesRepo(db.db);
  const urlSigner = createUrlSigner(secret);
  // Upload preparation and renders share one pool of worker processes sized to the cores, each task under a
  // hard time budget: decoding is where memory and CPU go, and hostile files must not hold the event loop.
  const workers = createMediaWorkers({
    size: config.renderConcurrency, threadsPerWorker: 1,
    renderTimeoutMs: config.renderTimeoutMs, prepareTimeoutMs: config.uploadProcessTimeoutMs, log,
  });
  const uploads = createUploadService({
    images: imagesRepo, quotas, plans, blobs, clock, spoolDir: path.join(config.dataDir, 'tmp', 'uploads'), log,
    maxImageSide: config.maxImageSide, workers,
    onStored: (bytes) => metrics.bytesUploaded.inc(bytes),
    onCreated: (row) => webhookEvents.emit(row.userId, 'image.uploaded', presentImage(row, config.mediaBaseUrl)),
    restoreTrashed: (row) => trash.restoreDuplicate(row),
    // upload from a URL: public addresses only (resolve-then-pin, every redirect checked), within the plan's file limit
    fetchRemote: createSafeFetcher({ allowList: config.fetchAllowList, timeoutMs: config.fetchTimeoutMs }),
  });
  // After uploads that died with their process: expired quota reservations (the quota back, the object gone)
  // and spool files of dead processes, at start and every minute (sooner with a short reservation TTL).
  const housekeeping = startPeriodic(async () => {
    try {
      const reservations = await uploads.sweepAbandoned();
      const spoolFiles = await uploads.sweepSpool(60 * 60_000);
      if (reservations + spoolFiles > 0) log.info({ reservations, spoolFiles }, 'cleaned up after uploads whose process died');
    } catch (err) {
      log.warn({ err }, 'upload housekeeping failed; the next sweep retries');
    }
  }, Math.min(60_000, config.uploadReservationTtlMs));
  const selfHosts = [...new Set([new URL(config.publicUrl).hostname, new URL(config.mediaBaseUrl).hostname])];
  const variants = createVariantsService({
    variants: createVariantsRepo(db.db), blobs, clock, log,
    limits: { maxPixels: 200_000_000, maxFrames: 4, maxOutputSide: 4096 },
    workers, hotBytes: config.variantCacheBytes, originalCacheBytes: config.originalCacheBytes,
    onRender: () => metrics.renders.inc(),
    onCacheHit: (tier) => metrics.cacheHits.inc({ tier }),
  });
  const watermarksRepo = createWatermarksRepo(db.db, db.dialect);
  const watermarks = createWatermarksService({ watermarks: watermarksRepo, images: imagesRepo, plans, clock });
  const overlays = createWatermarkOverlays({ watermarks: watermarksRepo, blobs });
  const images = createImagesService({
    images: imagesRepo, quotas, blobs, signer: urlSigner, clock, mediaBaseUrl: config.mediaBaseUrl, log, jobs,
    onChanged: (id) => {
      variants.forget(id);
      delivery.forget(id);
    },
    onDeleted: (rows) =>
      webhookEvents.emitMany(rows[0]!.userId, 'image.deleted', rows.map((r) => ({ id: r.id, filename: r.filename, sizeBytes: r.sizeBytes, deletedAt: toIso(clock.now()) }))),
  });
  const trash = createTrashService({ images: imagesRepo, library: images, cursors: urlSigner, clock, trashDays: config.trashDays, onChanged: (id) => { variants.forget(id); delivery.forget(id); } });
  const delivery = createDeliveryService({
    images: imagesRepo, users, plans, blobs, signer: urlSigner, quotas, variants, watermarks: overlays, clock, selfHosts,
    onServed: (bytes) => metrics.bytesServed.inc(bytes),
    cacheMs: config.deliveryCacheMs,
    rendersPerIpPerMinute: config.rendersPerIpPerMin,
  });
  const imageDownloads = createDownloadZipService({ images: imagesRepo, plans, blobs, quotas, meter: delivery, clock, log });
  const redis = config.redisUrl ? createRedis(config.redisUrl, log) : undefined;

  // Custom domains: CNAMEs checked through the configured DNS servers (the system's when none are set).
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (config.domains.dnsServers.length > 0) resolver.setServers(config.domains.dnsServers);
  const domains = createDomainsService({
    domains: createDomainsRepo(db.db, db.dialect), plans, clock, resolveCname: (host) => resolver.resolveCname(host),
    cnameTarget: config.domains.cnameTarget, selfHosts,
  });

  // Video: uploads enqueue a transcode job with the row; the job runs ffmpeg at a lower priority with
  // bounded concurrency; the media host serves the ladder (signed for private videos).
  const videosRepo = createVideosRepo(db.db);
  const playback = createPlaybackSigner(secret);
  const bins = { ffmpeg: config.transcode.ffmpegPath, ffprobe: config.transcode.ffprobePath };
  const videoDelivery = createVideoDeliveryService({
    videos: videosRepo, users, plans, quotas, blobs, playback, clock, cacheMs: config.deliveryCacheMs,
    onServed: (bytes) => metrics.bytesServed.inc(bytes),
  });
  const videos = createVideosService({
    videos: videosRepo, plans, quotas, blobs, jobs, cursors: urlSigner, playback, workers, clock, mediaBaseUrl: config.mediaBaseUrl,
    playbackTtlSeconds: config.playbackUrlTtlSeconds, log, onChanged: (id) => videoDelivery.forget(id),
  });
  const videoUploads = createVideoUploadService({
    videos: videosRepo, plans, quotas, blobs, jobs, clock, spoolDir: path.join(config.dataDir, 'tmp', 'uploads'), ffprobe: bins.ffprobe, log,
    onStored: (bytes) => metrics.bytesUploaded.inc(bytes),
  });
  const transcodes = createTranscodeService({
    videos: videosRepo, blobs, clock, workDir: path.join(config.dataDir, 'tmp', 'transcode'), bins,
    threads: config.transcode.threads, nice: config.transcode.nice, log, purge: (row) => videos.purge(row),
    onFinished: (videoId, outcome) =>
      webhookEvents.emitWith(outcome === 'ready' ? 'video.ready' : 'video.failed', async () => {
        const row = await videosRepo.findById(videoId);
        return row && { userId: row.userId, events: [presentVideo(row, { mediaBaseUrl: config.mediaBaseUrl, state: 'ok' })] };
      }),
  });
  // Audio: synchronous uploads (music-metadata, cover re-encoded in a media worker), files served from the media
  // host with ranges (signed for private audio), media storage and bandwidth shared with video.
  const audioRepo = createAudioRepo(db.db);
  const audioSigner = createAudioSigner(secret);
  const audioDelivery = createAudioDeliveryService({
    audio: audioRepo, users, plans, quotas, blobs, signer: audioSigner, clock, cacheMs: config.deliveryCacheMs,
    onServed: (bytes) => metrics.bytesServed.inc(bytes),
  });
  const audio = createAudioService({
    audio: audioRepo, quotas, blobs, jobs, signer: audioSigner, clock, mediaBaseUrl: config.mediaBaseUrl,
    playbackTtlSeconds: config.playbackUrlTtlSeconds, log, onChanged: (id) => audioDelivery.forget(id),
  });
  const audioUploads = createAudioUploadService({
    audio: audioRepo, plans, quotas, blobs, clock, spoolDir: path.join(config.dataDir, 'tmp', 'uploads'), workers, log,
    onStored: (bytes) => metrics.bytesUploaded.inc(bytes),
  });
  // One source per media type for the unified library, the bulk delete and the sync feed (audio plugs in here).
  const mediaSources = [
    imageSource({ images: imagesRepo, service: images, mediaBaseUrl: config.mediaBaseUrl }),
    videoSource({ videos: videosRepo, service: videos }),
    audioSource({ audio: audioRepo, service: audio }),
  ];
  const mediaRepo = createMediaRepo(db.db);
  const media = createMediaService({ media: mediaRepo, sources: mediaSources, cursors: urlSigner });
  const bulkDelete = createBulkDeleteService({ media: mediaRepo, sources: mediaSources, clock, serverSecret: secret });
  const sync = createSyncService({ sync: createSyncRepo(db.db), sources: mediaSources, cursors: urlSigner, clock, settleMs: 1000 });
  const collections = createCollectionsService({ collections: createCollectionsRepo(db.db, db.dialect), sources: mediaSources, clock, serverSecret: secret });
  const avatars = createAvatarsService({
    avatars: createAvatarsRepo(db.db), blobs, workers, clock, spoolDir: path.join(config.dataDir, 'tmp', 'uploads'), publicUrl: config.publicUrl, log,
  });
  registerVideoTranscodeJob(jobs, { transcodes, videos: videosRepo, concurrency: options.runJobs ? config.transcode.concurrency : 0, now: clock.now });
  // Resumable uploads: bytes in the tus file store (data dir) or the tus S3 store (bucket), finished through the
  // same pipelines as direct uploads; expired sessions are swept by a periodic job.
  const tusStore = createTusDatastore(config.storage, config.dataDir);
  const resumableUploads = createResumableUploadsService({
    sessions: createTusUploadsRepo(db.db), plans, quotas, images: uploads, videos: videoUploads, audio: audioUploads, bytes: tusStore, clock,
    spoolDir: path.join(config.dataDir, 'tmp', 'uploads'), expiryMs: config.tusExpiryMs, log,
  });
  const addressGuard = createAddressGuard({ allowList: config.fetchAllowList });
  const webhookDelivery = createWebhookDelivery({
    webhooks: webhooksRepo, users, post: createSafePoster({ allowList: config.fetchAllowList, timeoutMs: config.webhooks.timeoutMs }), mailer, clock, log,
    serverSecret: secret, disableAfter: config.webhooks.disableAfter, publicUrl: config.publicUrl,
  });
  const webhooks = createWebhooksService({ webhooks: webhooksRepo, events: webhookEvents, guard: addressGuard, cursors: urlSigner, clock, serverSecret: secret });
  if (options.runJobs) {
    registerWebhookDeliverJob(jobs, {
      delivery: webhookDelivery, webhooks: webhooksRepo, retryBaseMs: config.webhooks.retryBaseMs, timeoutMs: config.webhooks.timeoutMs, concurrency: 4, now: clock.now,
    });
    registerStoragePurgeJob(jobs, blobs);
    registerTombstoneSweep(jobs, { sweep: sync.sweep, log });
    registerTusSweep(jobs, { sweep: () => resumableUploads.sweep(), log });
    registerTrashSweep(jobs, { sweep: trash.sweep, log });
    registerUsageDailyRollup(jobs, { rollup: () => usageHistory.rollup(), log });
    const ffmpeg = await checkFfmpeg(bins);
    if (!ffmpeg.ok) log.warn(`video: ${ffmpeg.reason} — video uploads will be refused until it is installed`);
    await jobs.start();
  }
  const r = config.rateLimits;
  const rateLimits = createRateLimits({
    redis: redis?.client,
    keyPrefix: config.redisPrefix,
    now: clock.now,
    settings: {
      read: { perWindow: r.readPerMin, burst: Math.ceil(r.readPerMin / 20), windowSeconds: 60 },
      upload: { perWindow: r.uploadPerMin, burst: Math.ceil(r.uploadPerMin / 12), windowSeconds: 60 },
      mutation: { perWindow: r.mutationPerMin, burst: Math.ceil(r.mutationPerMin / 12), windowSeconds: 60 },
      auth: { perWindow: r.authPerMin, burst: 0, windowSeconds: 60 },
      hourly: { perWindow: r.perHour, burst: 0, windowSeconds: 3600 },
      failedAuth: { perWindow: r.failedAuthPerMin, burst: 0, windowSeconds: 60 },
    },
  });
  const usageService = createUsageService({ usage, plans, bandwidth, mediaBandwidth, clock });
  const authenticator = createAuthenticator({
    users, sessions: sessionsRepo, apiKeys: apiKeysRepo, signer, clock,
    onError: (err) => log.warn({ err }, 'could not record API key use'),
  });

  return {
    config, clock, db, blobs, mailer, authenticator, accounts, sessions, apiKeys, admin, images, trash, uploads, delivery, imageDownloads, variants, workers, watermarks,
    videos, videoUploads, videoDelivery, audio, audioUploads, audioDelivery, resumableUploads, jobs, domains, media, bulkDelete, sync, avatars, webhooks, collections,
    usage: usageService, usageHistory, bandwidth, rateLimits, metrics, urlSigner,
    readiness: [
      { name: 'database', check: () => db.ping() },
      { name: 'storage', check: () => blobs.ping() },
      ...(redis ? [{ name: 'redis', check: () => redis.ping(), optional: true }] : []),
    ],
    async close() {
      await webhookEvents.idle();
      await jobs.stop(config.shutdownTimeoutMs);
      await housekeeping.stop();
      await workers.close();
      await variants.idle();
      await bandwidth.close();
      await mediaBandwidth.close();
      await mailer.close();
      await redis?.close();
      tusStore.close();
      await blobs.close();
      await db.close();
    },
  };
}

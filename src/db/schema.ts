// Table types as Kysely sees them (camelCase; CamelCasePlugin maps to snake_case SQL).
// Timestamps are epoch milliseconds (bigint); flags are 0/1 integers — the same on SQLite and PostgreSQL.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type PlanId = 'trial' | 'pro' | 'pro_plus';
export type Role = 'user' | 'admin';

export interface PlansTable {
  id: PlanId;
  name: string;
  imgStorageBytes: number;
  imgBandwidthBytes: number;
  maxImageBytes: number;
  maxSvgBytes: number;
  maxImagePixels: number;
  videoEnabled: number;
  maxVideoBytes: number;
  maxVideoSeconds: number;
  maxAudioBytes: number;
  maxAudioSeconds: number;
  mediaStorageBytes: number;
  mediaBandwidthBytes: number;
  apiKeysMax: number;
  customDomainsMax: number;
  watermarksEnabled: number;
  uploadsPerDay: number;
  sortOrder: number;
  updatedAt: number;
}

export interface UsersTable {
  id: string;
  email: string | null;
  passwordHash: string | null;
  nickname: string | null;
  avatarUrl: string | null;
  plan: PlanId;
  role: Role;
  emailVerified: number;
  locale: string;
  isActive: number;
  failedLoginCount: number;
  lockedUntil: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface RefreshTokensTable {
  id: string;
  userId: string;
  /** All tokens rotated from one login share a family; replay revokes the family. */
  familyId: string;
  tokenHash: string;
  expiresAt: number;
  usedAt: number | null;
  revokedAt: number | null;
  createdAt: number;
}

export interface SessionFamiliesTable {
  id: string;
  userId: string;
  revokedAt: number | null;
  createdAt: number;
  userAgent: string | null;
}

export interface ApiKeysTable {
  id: string;
  userId: string;
  name: string;
  description: string | null;
  keyHash: string;
  keyPrefix: string;
  lastFour: string;
  scopes: string; // JSON array of v2 scopes
  lastUsedAt: number | null;
  revokedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface VerificationCodesTable {
  id: string;
  email: string;
  purpose: 'register' | 'reset_password' | 'bind_email';
  codeHash: string;
  attempts: number;
  expiresAt: number;
  consumedAt: number | null;
  createdAt: number;
}

export interface ImagesTable {
  id: string;
  userId: string;
  filename: string;
  title: string | null;
  mimeType: string;
  ext: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  frames: number;
  sha256: string;
  blurhash: string | null;
  dominantColor: string | null;
  isPublic: number;
  allowedReferers: string | null; // JSON array, or null = anyone
  tags: string; // JSON array
  /** 1 when the original carries EXIF/XMP/IPTC or an orientation: plain URLs then serve a clean rendition. */
  hasMetadata: number;
  createdAt: number;
  updatedAt: number;
}

export interface ImageVariantsTable {
  imageId: string;
  variantKey: string;
  params: string;
  mimeType: string;
  sizeBytes: number;
  createdAt: number;
}

export interface ImageTagsTable {
  imageId: string;
  userId: string;
  tag: string;
  createdAt: number;
}

export interface UserUsageTable {
  userId: string;
  imgStorageBytes: number;
  imgCount: number;
  uploadsDay: string;
  uploadsToday: number;
  uploadsMonth: string;
  uploadsThisMonth: number;
  /** Video and audio originals (migration 0007). */
  mediaStorageBytes: Generated<number>;
  mediaCount: Generated<number>;
}

export interface UsageMonthlyTable {
  userId: string;
  month: string;
  imgBandwidthBytes: number;
  /** Playlists and segments served (migration 0007). */
  mediaBandwidthBytes: Generated<number>;
}

export interface Database {
  plans: PlansTable;
  users: UsersTable;
  sessionFamilies: SessionFamiliesTable;
  refreshTokens: RefreshTokensTable;
  apiKeys: ApiKeysTable;
  verificationCodes: VerificationCodesTable;
  images: ImagesTable & ImagePhotoInfoColumns & CollectionColumns & ImageTrashColumns;
  imageTags: ImageTagsTable;
  userUsage: UserUsageTable;
  usageMonthly: UsageMonthlyTable;
  imageVariants: ImageVariantsTable;
}

export type PlanRow = Selectable<PlansTable>;
export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserPatch = Updateable<UsersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
export type VerificationCodeRow = Selectable<VerificationCodesTable>;
export type ImageRow = Selectable<ImagesTable>;
export type ImageVariantRow = Selectable<ImageVariantsTable>;
export type UserUsageRow = Selectable<UserUsageTable>;
export type { Generated };

// Watermark templates (migration 0004). Declared by interface merging so the table joins `Database` above.
export interface WatermarkTemplatesTable {
  id: string;
  userId: string;
  name: string;
  kind: 'text' | 'image';
  text: string | null;
  /** An image of the owner's library (image marks); null once that image is deleted. */
  imageId: string | null;
  position: string;
  opacity: number;
  fontSize: number;
  createdAt: number;
  updatedAt: number;
}

export interface Database {
  watermarkTemplates: WatermarkTemplatesTable;
}

export type WatermarkTemplateRow = Selectable<WatermarkTemplatesTable>;

// Quota reservations (migration 0005): the uploads in flight, each holding the quota it took until its row
// lands (then deleted) or it fails (released at once) or its process dies (released by the sweeper on expiry).
export type ReservationState = 'open' | 'committing' | 'released';

export interface QuotaReservationsTable {
  /** The id of the image the upload will create (its storage key follows from it). */
  id: string;
  userId: string;
  bytes: number;
  count: number;
  /** The UTC day (YYYY-MM-DD) whose upload counter the reservation took one from. */
  day: string;
  state: ReservationState;
  /** What the reservation will become (migration 0007): its objects' keys follow from kind and id. */
  kind: Generated<'image' | 'video' | 'audio'>;
  expiresAt: number;
  createdAt: number;
}

export interface Database {
  quotaReservations: QuotaReservationsTable;
}

export type QuotaReservationRow = Selectable<QuotaReservationsTable>;

// Durable jobs (migration 0006): the table backend of src/jobs. A job row is inserted in the same transaction
// as the row that needs it; a worker claims it with a lease that it keeps extending while it runs.
export type JobState = 'queued' | 'active' | 'done' | 'failed';

export interface JobsTable {
  id: string;
  queue: string;
  /** JSON of the queue's typed payload. */
  payload: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  /** Not before this time (epoch ms): the first run, or the next retry after a backoff. */
  runAt: number;
  /** While active: the lease; past it, another worker may claim the job. */
  leaseUntil: number | null;
  /** The claim's token: completion and heartbeats are conditional on it (a stale worker changes nothing). */
  leaseToken: string | null;
  /** 0–100, reported by the handler. */
  progress: number;
  lastError: string | null;
  /** Unique per queue while the job is queued or active (idempotent enqueue). */
  dedupeKey: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Periodic work: the instance that advances `nextRunAt` first runs that round. */
export interface JobSchedulesTable {
  name: string;
  nextRunAt: number;
  lastRunAt: number | null;
  lockedUntil: number | null;
}

export interface Database {
  jobs: JobsTable;
  jobSchedules: JobSchedulesTable;
}

export type JobRow = Selectable<JobsTable>;

// Videos (migration 0007). The original lives at storageKeys.videoOriginal; the HLS ladder and the poster under
// storageKeys.videoPrefix. `renditions` is the JSON the master playlist is written from (see media/video).
export type VideoStatus = 'processing' | 'ready' | 'failed';

export interface VideosTable {
  id: string;
  userId: string;
  title: string;
  filename: string;
  /** The container judged from the bytes: mp4 | mov | mkv | webm | avi. */
  container: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  isPublic: number;
  tags: string; // JSON array
  status: VideoStatus;
  progress: number;
  /** Why the transcode failed (shown to the owner), or null. */
  error: string | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  hasAudio: number;
  /** JSON array of the encoded rungs, or null until ready. */
  renditions: string | null;
  /** Bytes of every playlist, segment and poster (reported; quota counts the original, SPEC §8.1). */
  outputBytes: number;
  /** Bumped when the poster changes (custom thumbnail), so its URL changes with it. */
  posterVersion: number;
  /** 1 when the owner replaced the poster (a re-run of the transcode then keeps it). */
  customPoster: number;
  createdAt: number;
  updatedAt: number;
  readyAt: number | null;
}

export interface Database {
  videos: VideosTable & CollectionColumns;
}

export type VideoRow = Selectable<VideosTable>;

// Custom domains (migration 0008): a pro_plus account's own host names, served like the media host once their
// CNAME points at ours. `host` is unique across accounts.
export interface CustomDomainsTable {
  id: string;
  userId: string;
  host: string;
  verified: number;
  verifiedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface Database {
  customDomains: CustomDomainsTable;
}

export type CustomDomainRow = Selectable<CustomDomainsTable>;

export interface WebhooksTable {
  id: string;
  userId: string;
  url: string;
  description: string | null;
  /** JSON array of event names. */
  events: string;
  enabled: number;
  disabledReason: string | null;
  secretSalt: string;
  consecutiveFailures: number;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  payload: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface QuotaWarningsTable {
  userId: string;
  quotaType: string;
  level: number;
  period: string;
  createdAt: number;
}

export interface Database {
  webhooks: WebhooksTable;
  webhookDeliveries: WebhookDeliveriesTable;
  quotaWarnings: QuotaWarningsTable;
}

export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;

// The sync feed's tombstones and the avatar version (migration 0010). A tombstone is written in the same
// transaction as the delete of an image, video or audio row; swept after 30 days.
export type SyncType = 'image' | 'video' | 'audio';

export interface SyncTombstonesTable {
  userId: string;
  type: SyncType;
  id: string;
  deletedAt: number;
}

export interface UsersTable {
  /** When the uploaded avatar was last replaced (its ETag and URL version); null = no avatar. */
  avatarVersion: number | null;
}

export interface Database {
  syncTombstones: SyncTombstonesTable;
}

export type SyncTombstoneRow = Selectable<SyncTombstonesTable>;

// Resumable (tus) upload sessions (migration 0011). The quota reservation of an open session is the
// quota_reservations row with the same id.
export type TusResourceType = 'image' | 'video' | 'audio';
export type TusUploadState = 'open' | 'finishing' | 'done' | 'failed' | 'cancelled' | 'expired';

export interface TusUploadsTable {
  id: string;
  userId: string;
  resourceType: TusResourceType;
  sizeBytes: number;
  reservedBytes: number;
  /** JSON object of the client's Upload-Metadata. */
  metadata: string;
  state: TusUploadState;
  /** The image or video the finished upload became. */
  resultId: string | null;
  duplicate: Generated<number>;
  createdAt: number;
  expiresAt: number;
  finishedAt: number | null;
}

export interface Database {
  tusUploads: TusUploadsTable;
}

export type TusUploadRow = Selectable<TusUploadsTable>;

// Audio (migration 0009, owned by the audio part of issue 10). The original lives at storageKeys.audioOriginal,
// an embedded cover (re-encoded JPEG) at storageKeys.audioCover when `hasCover` is 1; otherwise the media host
// serves the format's default cover.
export type AudioFormat = 'mp3' | 'm4a' | 'wav' | 'flac' | 'ogg';

export interface AudioTable {
  id: string;
  userId: string;
  title: string;
  filename: string;
  /** The container judged from the bytes. */
  format: AudioFormat;
  /** The extension of its URL on the media host (`/audio/{id}.{ext}`). */
  ext: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  durationSeconds: number;
  /** kbps, or null when the parser could not tell. */
  bitrate: number | null;
  sampleRate: number | null;
  channels: number | null;
  codec: string | null;
  artist: string | null;
  album: string | null;
  hasCover: number;
  isPublic: number;
  createdAt: number;
  updatedAt: number;
}

export interface Database {
  audio: AudioTable & CollectionColumns;
}

export type AudioRow = Selectable<AudioTable>;

// Photo information read from the original's EXIF at upload (migration 0015). Kept out of ImageRow on purpose: only
// the owner's info query selects them by name, so no presenter can pass GPS on by accident; optional on insert.
type PhotoColumn<T> = ColumnType<T | null, T | null | undefined, T | null>;
export interface ImagePhotoInfoColumns {
  cameraMake: PhotoColumn<string>;
  cameraModel: PhotoColumn<string>;
  lensModel: PhotoColumn<string>;
  focalLengthMm: PhotoColumn<number>;
  fNumber: PhotoColumn<number>;
  exposureTime: PhotoColumn<string>;
  iso: PhotoColumn<number>;
  takenAt: PhotoColumn<string>;
  gpsLatitude: PhotoColumn<number>;
  gpsLongitude: PhotoColumn<number>;
}
export type ImagePhotoInfoRow = Selectable<ImagePhotoInfoColumns>;

// Usage per UTC day (migration 0014): bandwidth served that day, storage as last sampled that day.
export type UsageDailyType = 'img_storage' | 'media_storage' | 'img_bandwidth' | 'media_bandwidth';
export interface UsageDailyTable {
  userId: string;
  type: UsageDailyType;
  /** 'YYYY-MM-DD' (UTC) */
  day: string;
  bytes: number;
}

export interface Database {
  usageDaily: UsageDailyTable;
}

export type UsageDailyRow = Selectable<UsageDailyTable>;

// Collections (migration 0013): an account's photo albums, and the album each image, video or audio item is filed in
// (`collection_id`, at most one). The column stays out of ImageRow/VideoRow/AudioRow: rows built in code need not
// name it, and only the collection queries read or write it; optional on insert.
export type CollectionType = 'photo_album' | 'album';

export interface CollectionColumns {
  collectionId: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CollectionsTable {
  id: string;
  userId: string;
  name: string;
  /** Unique per account. */
  slug: string;
  description: string | null;
  collectionType: CollectionType;
  /** JSON array of image | video | audio | doc. */
  allowedResourceTypes: string;
  kbType: 'creator' | 'output';
  isDefault: number;
  createdAt: number;
  updatedAt: number;
}

export interface Database {
  collections: CollectionsTable;
}

export type CollectionRow = Selectable<CollectionsTable>;

// Trash (migration 0016): when an image was moved to the trash (ms), null while it is live. Out of ImageRow like the
// album column: rows built in code need not name it; the trash queries read it (TrashedImageRow).
export interface ImageTrashColumns {
  trashedAt: ColumnType<number | null, number | null | undefined, number | null>;
}

export type TrashedImageRow = ImageRow & { collectionId: string | null; trashedAt: number };

// The shapes the public API answers with (see src/http/routes/*.schema.ts); the dashboard reads nothing else.

export type Plan = 'none' | 'trial' | 'pro' | 'pro_plus';

export type User = {
  id: string;
  email: string | null;
  nickname: string | null;
  avatarUrl: string | null;
  plan: Plan;
  role: 'user' | 'admin';
  emailVerified: boolean;
  locale: string;
  isActive: boolean;
  createdAt: string;
};

export type Image = {
  id: string;
  userId: string;
  url: string;
  filename: string;
  title: string | null;
  mimeType: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  tags: string[];
  isPublic: boolean;
  allowedReferers: string[] | null;
  sha256: string;
  blurhash: string | null;
  dominantColor: string | null;
  /** The album it is filed in, or null. */
  kbId: string | null;
  createdAt: string;
  updatedAt: string;
};

export type ImagePage = { items: Image[]; nextCursor: string | null; hasMore: boolean; total: number };

export type ApiKey = {
  id: string;
  name: string;
  description: string | null;
  keyPrefix: string;
  lastFour: string;
  scope: string;
  scopesV2: string[];
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type CreatedApiKey = Pick<ApiKey, 'id' | 'name' | 'keyPrefix' | 'lastFour' | 'scopesV2' | 'createdAt'> & { key: string };

export type Limits = {
  imgStorageBytes: number;
  imgBandwidthBytes: number;
  maxImageBytes: number;
  maxSvgBytes: number;
  maxImagePixels: number;
  apiKeysMax: number;
  uploadsPerDay: number;
  videoEnabled: boolean;
  watermarks: boolean;
};

export type Subscription = {
  plan: string;
  planName: string;
  usage: { imgStorageBytes: number; imgBandwidthBytes: number; uploadsToday: number; imageCount: number };
  limits: Limits;
};

export type Usage = {
  plan: string;
  images: { storageUsed: number; bandwidthUsed: number; uploadCountToday: number; uploadCountMonth: number; totalCount: number };
};

export type TierStatus = { limit: number; remaining: number; resetSeconds: number; resetAt: string };
export type RateLimitStatus = { read: TierStatus; upload: TierStatus; mutation: TierStatus; hourly: TierStatus };

export type AdminUser = {
  id: string;
  email: string | null;
  nickname: string | null;
  plan: string;
  role: string;
  isActive: boolean;
  createdAt: string;
  usage: { imgStorageBytes: number; imageCount: number };
};

export type PlanRow = { id: string; name: string; imgStorageBytes: number; sortOrder: number };

export type VideoStatus = 'processing' | 'ready' | 'failed';
export type BandwidthState = 'ok' | 'degraded' | 'suspended';

export type Video = {
  id: string;
  videoId: string;
  title: string;
  filename: string;
  mimeType: string;
  sizeBytes: number;
  status: VideoStatus;
  /** 0–100 while processing, else null. */
  progress: number | null;
  error: string | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  /** The HLS master playlist on the media host; a private video's carries a playback token valid some hours. */
  playbackUrl: string | null;
  thumbnailUrl: string | null;
  renditions: string[];
  bandwidthState: BandwidthState;
  tags: string[];
  isPublic: boolean;
  createdAt: string;
  updatedAt: string;
};

export type VideoPage = { items: Video[]; nextCursor: string | null; hasMore: boolean };

/** GET /v1/videos/{id}/status: what changes while a video is processed. */
export type VideoProgress = Pick<Video, 'id' | 'status' | 'progress' | 'playbackUrl' | 'thumbnailUrl' | 'durationSeconds' | 'bandwidthState' | 'error'>;

/** The 202 answer of POST /v1/videos. */
export type UploadedVideo = Pick<Video, 'id' | 'videoId' | 'title' | 'filename' | 'sizeBytes' | 'createdAt'> & { status: 'processing' };

export type SignedVideoLink = { signedUrl: string; expiresAt: string; exp: number };

/** An outbound webhook endpoint (`secret` only right after creation or rotation). */
export type Webhook = {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  secret?: string;
  createdAt: string;
  updatedAt: string;
};

export type WebhookDelivery = {
  id: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  responseStatus: number | null;
  error: string | null;
  durationMs: number | null;
  createdAt: string;
};

export type MediaType = 'image' | 'video' | 'audio';

/** One item of GET /v1/media: images, videos and audio in one shape (a private image has no thumbnailUrl). */
export type MediaItem = {
  id: string;
  type: MediaType;
  url?: string;
  playbackUrl?: string;
  thumbnailUrl?: string;
  filename: string;
  title?: string;
  mimeType?: string;
  sizeBytes: number;
  durationSeconds?: number | null;
  bitrate?: number | null;
  status: string;
  isPublic: boolean;
  tags?: string[];
  createdAt: string;
  updatedAt?: string;
};

export type MediaPage = { items: MediaItem[]; nextCursor: string | null; hasMore: boolean };

/** GET /v1/audio/{id}: a private file's `url` and `thumbnailUrl` carry a token for its owner. */
export type Audio = {
  id: string;
  type: 'audio';
  url: string;
  filename: string;
  sizeBytes: number;
  mimeType: string;
  title: string;
  thumbnailUrl: string;
  durationSeconds: number | null;
  bitrate: number | null;
  sampleRate: number | null;
  channels: number | null;
  artist: string | null;
  album: string | null;
  status: 'ready';
  isPublic: boolean;
  createdAt: string;
  updatedAt: string;
};

/** A photo album (GET /v1/collections: the API's Collection, the fields the dashboard reads). */
export type Album = {
  id: string;
  name: string;
  description: string | null;
  collectionType: string;
  docCount: number;
  imageCount: number;
  videoCount: number;
  audioCount: number;
  sizeBytes: number;
  createdAt: string;
  updatedAt: string;
};

export type AlbumPage = { items: Album[]; nextCursor: string | null; hasMore: boolean };

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

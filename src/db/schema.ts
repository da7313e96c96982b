// Table types as Kysely sees them (camelCase; CamelCasePlugin maps to snake_case SQL).
// Timestamps are epoch milliseconds (bigint); flags are 0/1 integers — the same on SQLite and PostgreSQL.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

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
}

export interface UsageMonthlyTable {
  userId: string;
  month: string;
  imgBandwidthBytes: number;
}

export interface Database {
  plans: PlansTable;
  users: UsersTable;
  sessionFamilies: SessionFamiliesTable;
  refreshTokens: RefreshTokensTable;
  apiKeys: ApiKeysTable;
  verificationCodes: VerificationCodesTable;
  images: ImagesTable;
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
  expiresAt: number;
  createdAt: number;
}

export interface Database {
  quotaReservations: QuotaReservationsTable;
}

export type QuotaReservationRow = Selectable<QuotaReservationsTable>;

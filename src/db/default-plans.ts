// CONTRACT §4 defaults, written into the plans table by the first migration. The operator can change every number.
import type { PlanRow } from './schema.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;
const TB = 1024 * GB;

export const DEFAULT_PLANS: Array<Omit<PlanRow, 'updatedAt'>> = [
  {
    id: 'trial', name: 'Trial', sortOrder: 1,
    imgStorageBytes: 100 * MB, imgBandwidthBytes: 1 * GB, maxImageBytes: 10 * MB, maxSvgBytes: 2 * MB, maxImagePixels: 50_000_000,
    videoEnabled: 0, maxVideoBytes: 0, maxVideoSeconds: 0, maxAudioBytes: 0, maxAudioSeconds: 0,
    mediaStorageBytes: 0, mediaBandwidthBytes: 0, apiKeysMax: 3, customDomainsMax: 0, watermarksEnabled: 0, uploadsPerDay: 500,
  },
  {
    id: 'pro', name: 'Pro', sortOrder: 2,
    imgStorageBytes: 10 * GB, imgBandwidthBytes: 100 * GB, maxImageBytes: 50 * MB, maxSvgBytes: 2 * MB, maxImagePixels: 100_000_000,
    videoEnabled: 1, maxVideoBytes: 500 * MB, maxVideoSeconds: 30 * 60, maxAudioBytes: 100 * MB, maxAudioSeconds: 3600,
    mediaStorageBytes: 20 * GB, mediaBandwidthBytes: 200 * GB, apiKeysMax: 3, customDomainsMax: 0, watermarksEnabled: 0, uploadsPerDay: 5_000,
  },
  {
    id: 'pro_plus', name: 'Pro+', sortOrder: 3,
    imgStorageBytes: 100 * GB, imgBandwidthBytes: 1 * TB, maxImageBytes: 100 * MB, maxSvgBytes: 2 * MB, maxImagePixels: 200_000_000,
    videoEnabled: 1, maxVideoBytes: 2 * GB, maxVideoSeconds: 2 * 3600, maxAudioBytes: 500 * MB, maxAudioSeconds: 4 * 3600,
    mediaStorageBytes: 200 * GB, mediaBandwidthBytes: 2 * TB, apiKeysMax: 10, customDomainsMax: 5, watermarksEnabled: 1, uploadsPerDay: 50_000,
  },
];

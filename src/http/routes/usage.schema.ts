import { Type } from '@sinclair/typebox';
import { Envelope, errors } from './common.schema.js';

const Int = Type.Integer();
const Limits = Type.Object({
  imgStorageBytes: Int, imgBandwidthBytes: Int, maxImageBytes: Int, maxSvgBytes: Int, maxImagePixels: Int,
  videoEnabled: Type.Boolean(), videoStorageBytes: Int, videoBandwidthBytes: Int,
  apiKeysMax: Int, customDomainsMax: Int, uploadsPerDay: Int, watermarks: Type.Boolean(),
});
const TierStatus = Type.Object({ limit: Int, remaining: Int, resetSeconds: Int, resetAt: Type.String() });

export const usageSchema = {
  tags: ['usage'],
  response: {
    200: Envelope(
      Type.Object({
        plan: Type.String(),
        images: Type.Object({ storageUsed: Int, bandwidthUsed: Int, uploadCountToday: Int, uploadCountMonth: Int, totalCount: Int }),
        videos: Type.Object({ storageUsed: Int, bandwidthUsed: Int, count: Int }),
      }),
    ),
    ...errors(401, 403),
  },
};

export const historySchema = {
  tags: ['usage'],
  description:
    'Storage (bytes stored at the end of the day; today: now) and bandwidth (bytes served that day) per UTC day, oldest first, ' +
    'one entry per day of the last `days` (1–90, default 30), days without traffic included.',
  querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 30 })) }),
  response: {
    200: Envelope(
      Type.Object({
        days: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), imgStorageBytes: Int, mediaStorageBytes: Int, imgBandwidthBytes: Int, mediaBandwidthBytes: Int })),
      }),
    ),
    ...errors(401, 403, 422),
  },
};

export const subscriptionSchema = {
  tags: ['usage'],
  response: {
    200: Envelope(
      Type.Object({
        plan: Type.String(),
        planName: Type.String(),
        usage: Type.Object({ imgStorageBytes: Int, imgBandwidthBytes: Int, videoStorageBytes: Int, videoBandwidthBytes: Int, uploadsToday: Int, imageCount: Int }),
        limits: Limits,
        features: Type.Object({ video_enabled: Type.Boolean(), custom_domain: Type.Boolean(), watermarks: Type.Boolean(), api_keys_max: Int }),
      }),
    ),
    ...errors(401, 403),
  },
};

export const plansSchema = {
  tags: ['usage'],
  response: {
    200: Envelope(Type.Record(Type.String(), Type.Object({ name: Type.String(), monthly: Type.Number(), yearly: Type.Number(), currency: Type.String(), limits: Limits }))),
  },
};

export const rateLimitsSchema = {
  tags: ['usage'],
  response: { 200: Envelope(Type.Object({ read: TierStatus, upload: TierStatus, mutation: TierStatus, hourly: TierStatus })), ...errors(401, 403) },
};

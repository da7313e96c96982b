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

// The video suite on the scale setup: PostgreSQL + S3 + Redis, so the transcode jobs run on BullMQ (with its
// reconciler) instead of the jobs table.
import { after } from 'node:test';
import { probeS3 } from '../support/s3.js';
import { cleanRedisPrefix, probeRedis, uniqueRedisPrefix } from '../support/redis.js';
import { isCI, probePostgres, skipUnless } from '../support/services.js';
import { ffmpegAvailable } from '../support/video-clips.js';
import { videosSuite } from './suites/videos.suite.js';

const pg = await probePostgres();
const s3 = await probeS3();
const redis = await probeRedis();
const ffmpeg = await ffmpegAvailable();
if (!ffmpeg && isCI) throw new Error('ffmpeg is missing (CI=true: the video suites must run)');
const skip = skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3) ?? skipUnless('Redis', redis) ?? (ffmpeg ? undefined : 'ffmpeg missing');
const prefix = uniqueRedisPrefix('videos');
after(() => cleanRedisPrefix(prefix));

videosSuite('PostgreSQL + S3 + BullMQ on Redis', { db: 'postgres', store: 's3' }, () => (s3.ok ? s3.value : undefined), skip, () => ({
  PICORA_REDIS_URL: redis.ok ? redis.value : '', PICORA_REDIS_PREFIX: prefix, PICORA_JOBS_BACKEND: 'bullmq',
}), false);

// The video suite on the real engines: PostgreSQL (jobs in its table, FOR UPDATE SKIP LOCKED) + S3.
import { probeS3 } from '../support/s3.js';
import { isCI, probePostgres, skipUnless } from '../support/services.js';
import { ffmpegAvailable } from '../support/video-clips.js';
import { videosSuite } from './suites/videos.suite.js';

const pg = await probePostgres();
const s3 = await probeS3();
const ffmpeg = await ffmpegAvailable();
if (!ffmpeg && isCI) throw new Error('ffmpeg is missing (CI=true: the video suites must run)');
const skip = skipUnless('PostgreSQL', pg) ?? skipUnless('S3', s3) ?? (ffmpeg ? undefined : 'ffmpeg missing');

videosSuite('PostgreSQL + S3', { db: 'postgres', store: 's3' }, () => (s3.ok ? s3.value : undefined), skip);

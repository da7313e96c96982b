// The video suite on the embedded default: SQLite + the local data folder, jobs in the SQLite table.
import { ffmpegAvailable } from '../support/video-clips.js';
import { isCI } from '../support/services.js';
import { videosSuite } from './suites/videos.suite.js';

const ffmpeg = await ffmpegAvailable();
if (!ffmpeg && isCI) throw new Error('ffmpeg is missing (CI=true: the video suites must run; scripts/ensure-deps.sh installs it)');
if (!ffmpeg) console.log('# SKIP video suites: ffmpeg is not installed');

videosSuite('SQLite + local', { db: 'sqlite', store: 'local' }, undefined, ffmpeg ? undefined : 'ffmpeg missing');

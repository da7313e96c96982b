// Scenario "1 GB video upload": a ~1 GiB valid MP4 (lib/video-clips.ts bigVideo) streamed through
// POST /v1/videos with the server's VmRSS sampled every 50 ms, as upload-memory does for images. The server's
// handling of the bytes does not end at the 202: the job then copies the original from the store to its work
// folder and probes it, so sampling goes on until the job's ffmpeg has started; then the video is deleted
// (which must stop that ffmpeg) and sampling ends 2 s after it is gone.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { awaitQuietMachine, busyCoresSince, readCpuSeconds, readRss, readSystemCpu, sampleRss, trackThreadCpu, type RssSummary } from './proc.js';
import { sleep } from './report.js';
import type { Clip } from './video-clips.js';
import { deleteVideo, startVideoServer, uploadVideo, watchChildren, type VideoServer } from './video-server.js';

const MiB = 1024 * 1024;

export type UploadRssResult = {
  bytes: number;
  durationSeconds: number;
  status: number;
  uploadSeconds: number;
  lastByteSeconds: number;
  mibPerSecond: number;
  baselineMiB: number;
  peakMiB: number;
  growthMiB: number;
  peakUntilLastByteMiB: number;
  /** Last byte → 202: probe, copy into the store, row + job. */
  peakLastByteTo202MiB: number;
  /** 202 → the job's ffmpeg running (download from the store to the work folder, probe) → deleted → gone. */
  peakAfter202MiB: number;
  afterMiB: number;
  jobFfmpegAfter202Seconds: number;
  ffmpegGoneAfterDeleteSeconds: number;
  deleteStatus: number;
  serverCpuSeconds: number;
  machineBusyCores: number;
  samples: number;
  maxGapMs: number;
  threads: string;
  leftovers: string;
};

/** Waits until `test` holds (checked every 50 ms) or `timeoutMs` passed; the seconds it took, NaN on timeout. */
async function until(test: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (!test()) {
    if (performance.now() - t0 > timeoutMs) return Number.NaN;
    await sleep(50);
  }
  return (performance.now() - t0) / 1000;
}

/** Upload, wait for the job's HLS ffmpeg, delete, wait for it to be gone; the walk the warm-up and the measure share. */
async function uploadAndCancel(vs: VideoServer, clip: Clip, onAllWritten?: () => void, on202?: () => void) {
  const watch = watchChildren(vs.server.pid);
  try {
    const up = await uploadVideo(vs, clip, { onAllWritten });
    on202?.();
    const hlsRunning = () => watch.records().some((c) => c.kind === 'hls' && c.goneAt === undefined);
    const jobFfmpegAfter202Seconds = await until(hlsRunning, 300_000);
    const deleteStatus = await deleteVideo(vs, up.videoId!);
    const t0 = performance.now();
    const allGone = () => watch.records().every((c) => c.goneAt !== undefined);
    const gone = await until(allGone, 120_000);
    return { up, jobFfmpegAfter202Seconds, deleteStatus, ffmpegGoneAfterDeleteSeconds: Number.isNaN(gone) ? gone : (performance.now() - t0) / 1000 };
  } finally {
    watch.stop();
  }
}

async function leftovers(dataDir: string): Promise<string> {
  const found: string[] = [];
  for (const dir of ['tmp/uploads', 'tmp/transcode', 'blobs/.tmp']) {
    const names = await readdir(path.join(dataDir, dir)).catch(() => [] as string[]);
    if (names.length) found.push(`${dir}: ${names.join(', ')}`);
  }
  return found.length ? `LEFTOVER FILES ${found.join('; ')}` : 'no leftovers in tmp/uploads, tmp/transcode, blobs/.tmp';
}

export async function videoUploadRss(opts: { big: Clip; warm: Clip; threads: number; nice: number; logLevel: string }): Promise<UploadRssResult> {
  const vs = await startVideoServer(opts);
  const pid = vs.server.pid;
  try {
    await uploadAndCancel(vs, opts.warm); // first warm-up: JIT, SQLite, the store, the job
    await awaitQuietMachine();
    await uploadAndCancel(vs, opts.warm); // and again right before the baseline (an idle Node gives memory back)
    await sleep(1000);
    const sys0 = readSystemCpu();
    const baseline = readRss(pid) ?? 0;
    const cpu0 = readCpuSeconds(pid) ?? 0;
    const threads = trackThreadCpu(pid);
    const all = sampleRss(pid);
    let lastTo202: ReturnType<typeof sampleRss> | undefined;
    let toAnswer: RssSummary | undefined;
    let after202: ReturnType<typeof sampleRss> | undefined;
    const t0 = performance.now();
    const r = await uploadAndCancel(
      vs, opts.big,
      () => {
        all.mark();
        lastTo202 = sampleRss(pid);
      },
      () => {
        toAnswer = lastTo202?.stop();
        after202 = sampleRss(pid);
      },
    );
    const machineBusyCores = busyCoresSince(sys0, (performance.now() - t0) / 1000);
    const whole = all.stop();
    const job = after202!.stop();
    await sleep(2000);
    const after = readRss(pid) ?? 0;
    const cpu1 = readCpuSeconds(pid) ?? 0;
    const threadCpu = threads.stop();
    return {
      bytes: r.up.outcome.bytesSent,
      durationSeconds: opts.big.durationSeconds,
      status: r.up.outcome.status,
      uploadSeconds: r.up.outcome.msResponse / 1000,
      lastByteSeconds: r.up.outcome.msAllWritten / 1000,
      mibPerSecond: r.up.outcome.bytesSent / MiB / (r.up.outcome.msResponse / 1000),
      baselineMiB: baseline / MiB,
      peakMiB: whole.peakBytes / MiB,
      growthMiB: (whole.peakBytes - baseline) / MiB,
      peakUntilLastByteMiB: (whole.peakBeforeMarkBytes ?? Number.NaN) / MiB,
      peakLastByteTo202MiB: (toAnswer?.peakBytes ?? Number.NaN) / MiB,
      peakAfter202MiB: job.peakBytes / MiB,
      afterMiB: after / MiB,
      jobFfmpegAfter202Seconds: r.jobFfmpegAfter202Seconds,
      ffmpegGoneAfterDeleteSeconds: r.ffmpegGoneAfterDeleteSeconds,
      deleteStatus: r.deleteStatus,
      serverCpuSeconds: cpu1 - cpu0,
      machineBusyCores,
      samples: whole.samples,
      maxGapMs: whole.maxGapMs,
      threads: threadCpu.map((t) => `${t.group} ${t.seconds.toFixed(1)} s`).join(', '),
      leftovers: await leftovers(vs.server.dataDir),
    };
  } finally {
    await vs.close('video-upload');
  }
}

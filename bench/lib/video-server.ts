// The built server for the video benchmark, and what the benchmark does with it: upload a file through
// POST /v1/videos, poll GET /v1/videos/{id}/status, delete, read the 'video ready' log lines, and watch the
// ffmpeg/ffprobe processes the transcode job starts (from /proc: when each started, when it was last seen,
// its CPU), so Picora's wall time can be split into its parts.
import { execFileSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { mb } from './proc.js';
import { benchAccount, login, prepareDataDir, removeDataDir, startServer, type BenchServer } from './server.js';
import { multipartEnvelope, streamUpload, type UploadOutcome } from './upload-client.js';
import type { Clip } from './video-clips.js';

const MiB = 1024 * 1024;
const LIFTED = '1000000';

export type VideoServerOptions = { threads: number; nice: number; logLevel: string };
export type VideoServer = { server: BenchServer; token: string; close(label: string): Promise<void> };

/**
 * A fresh data folder and server: the pro_plus bench account (video up to 2 GiB and 2 h), uploads/day and
 * image storage raised, every rate-limit tier lifted (all traffic comes from one address and one account),
 * the transcode's threads and niceness set explicitly (the same values the bare runs use), concurrency 1.
 */
export async function startVideoServer(opts: VideoServerOptions): Promise<VideoServer> {
  const dataDir = await prepareDataDir({ account: benchAccount, overrides: { uploads_per_day: 1_000_000, img_storage_bytes: 1024 * 1024 * MiB } });
  const server = await startServer(dataDir, {
    env: {
      PICORA_LOG_LEVEL: opts.logLevel,
      PICORA_TRANSCODE_THREADS: String(opts.threads),
      PICORA_TRANSCODE_NICE: String(opts.nice),
      PICORA_TRANSCODE_CONCURRENCY: '1',
      PICORA_RATE_READ_PER_MIN: LIFTED, PICORA_RATE_UPLOAD_PER_MIN: LIFTED, PICORA_RATE_MUTATION_PER_MIN: LIFTED,
      PICORA_RATE_AUTH_PER_MIN: LIFTED, PICORA_RATE_PER_HOUR: '100000000',
    },
  });
  const token = await login(server, benchAccount);
  return {
    server,
    token,
    async close(label: string) {
      const crashed = server.exitInfo();
      const exit = await server.stop();
      if (crashed) console.log(`  SERVER EXITED BY ITSELF at ${crashed.at}: ${JSON.stringify(exit)}`);
      const problems = readFileSync(server.logFile, 'utf8').split('\n').filter((l) => /"level":(40|50|60)/.test(l) && !/FSTDEP/.test(l));
      if (crashed || exit.code !== 0 || problems.length > 0) {
        console.log(`  server log kept in ${await server.keepLog(label)}; warnings and errors (last 10):`);
        for (const l of problems.slice(-10)) console.log(`    ${l.slice(0, 400)}`);
      }
      await removeDataDir(dataDir);
    },
  };
}

export type VideoUpload = { outcome: UploadOutcome; videoId: string | undefined; answeredAt: number };

/** Streams `clip` as the multipart `file` (1 MiB reads); `answeredAt` is Date.now() when the answer was complete. */
export async function uploadVideo(vs: VideoServer, clip: Clip, opts: { onAllWritten?: () => void; timeoutMs?: number } = {}): Promise<VideoUpload> {
  const outcome = await streamUpload({
    url: `${vs.server.baseUrl}/v1/videos`,
    token: vs.token,
    envelope: multipartEnvelope(path.basename(clip.file), 'video/mp4'),
    source: createReadStream(clip.file, { highWaterMark: MiB }) as AsyncIterable<Buffer>,
    timeoutMs: opts.timeoutMs ?? 10 * 60_000,
    onAllWritten: opts.onAllWritten,
  });
  const answeredAt = Date.now();
  const videoId = (outcome.body as { data?: { videoId?: string } }).data?.videoId;
  if (outcome.status !== 202 || !videoId) throw new Error(`POST /v1/videos: ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 500)}\n${vs.server.logTail()}`);
  return { outcome, videoId, answeredAt };
}

type Status = { status: string; progress: number | null; error?: string | null };

async function api(vs: VideoServer, method: string, urlPath: string): Promise<{ status: number; body: { data?: unknown } }> {
  const res = await fetch(`${vs.server.baseUrl}${urlPath}`, { method, headers: { authorization: `Bearer ${vs.token}` }, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: (await res.json()) as { data?: unknown } };
}

export type ReadyPoll = { status: string; at: number; polls: number; error: string | null };

/** Polls the status every `intervalMs` until it is no longer 'processing'; `at` is Date.now() of that answer. */
export async function pollUntilDone(vs: VideoServer, videoId: string, opts: { intervalMs: number; timeoutMs: number }): Promise<ReadyPoll> {
  const deadline = Date.now() + opts.timeoutMs;
  let polls = 0;
  for (;;) {
    const started = Date.now();
    const res = await api(vs, 'GET', `/v1/videos/${videoId}/status`);
    polls++;
    const s = res.body.data as Status | undefined;
    if (res.status !== 200 || !s) throw new Error(`status poll: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    if (s.status !== 'processing') return { status: s.status, at: Date.now(), polls, error: s.error ?? null };
    if (Date.now() > deadline) throw new Error(`video ${videoId} still processing after ${opts.timeoutMs / 1000} s (progress ${s.progress})`);
    await new Promise((r) => setTimeout(r, Math.max(0, opts.intervalMs - (Date.now() - started))));
  }
}

export async function deleteVideo(vs: VideoServer, videoId: string): Promise<number> {
  return (await api(vs, 'DELETE', `/v1/videos/${videoId}`)).status;
}

/** The server's 'video ready' log lines by video id: when it was logged (ms since the epoch) and its `seconds`. */
export function readyLogLines(vs: VideoServer): Map<string, { time: number; seconds: number }> {
  const out = new Map<string, { time: number; seconds: number }>();
  for (const line of readFileSync(vs.server.logFile, 'utf8').split('\n')) {
    if (!line.includes('"video ready"')) continue;
    try {
      const j = JSON.parse(line) as { time: number; videoId: string; seconds: number };
      out.set(j.videoId, { time: j.time, seconds: j.seconds });
    } catch {
      // not a JSON line
    }
  }
  return out;
}

// ---- the job's child processes, from /proc -------------------------------------------------------------------

export type ChildKind = 'hls' | 'poster' | 'ffprobe' | 'other';
export type ChildRecord = { pid: number; kind: ChildKind; nice: number; startedAt: number; lastSeenAt: number; goneAt: number | undefined; cpuSeconds: number };

let ticks: number | undefined;
const ticksPerSecond = (): number => (ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' '); // [0] is field 3
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)) if (tid) out.push(Number(tid));
  } catch {
    // gone
  }
  return out;
}

function kindOf(pid: number): ChildKind | undefined {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
  const bin = path.basename(argv[0] ?? '');
  if (bin === 'ffprobe') return 'ffprobe';
  if (bin !== 'ffmpeg') return bin === 'setpriv' ? undefined : 'other'; // setpriv is about to exec: look again next time
  if (argv.includes('-var_stream_map')) return 'hls';
  return argv.includes('image2') ? 'poster' : 'other';
}

export type ChildWatch = { records(): ChildRecord[]; stop(): ChildRecord[] };

/**
 * Every `intervalMs`, the children of `pid` (its main thread's, where libuv spawns) that are ffmpeg or ffprobe:
 * start time exact (from /proc, 10 ms), end time within one interval, CPU up to the last look.
 */
export function watchChildren(pid: number, intervalMs = 50): ChildWatch {
  const seen = new Map<number, ChildRecord>();
  const look = () => {
    const now = Date.now();
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const live = new Set(childrenOf(pid));
    for (const child of live) {
      const f = statFields(child);
      if (!f) continue;
      let rec = seen.get(child);
      if (!rec) {
        // the media worker processes are 'other'; a child caught between fork and exec looks like one too, so
        // nothing is remembered until it is ffmpeg or ffprobe
        const kind = kindOf(child);
        if (kind === undefined || kind === 'other') continue;
        const startedAt = now - (uptime - Number(f[19]) / ticksPerSecond()) * 1000; // field 22: start time in ticks since boot
        rec = { pid: child, kind, nice: Number(f[16]), startedAt, lastSeenAt: now, goneAt: undefined, cpuSeconds: 0 };
        seen.set(child, rec);
      }
      rec.lastSeenAt = now;
      rec.nice = Number(f[16]); // field 19; setPriority lands just after the spawn
      rec.cpuSeconds = (Number(f[11]) + Number(f[12])) / ticksPerSecond();
    }
    for (const rec of seen.values()) if (rec.goneAt === undefined && !live.has(rec.pid)) rec.goneAt = now;
  };
  look();
  const timer = setInterval(look, intervalMs);
  const records = () => [...seen.values()].sort((a, b) => a.startedAt - b.startedAt);
  return {
    records,
    stop() {
      clearInterval(timer);
      look();
      return records();
    },
  };
}

export const describeClipLine = (c: Clip): string =>
  `${path.basename(c.file)}: ${c.width}×${c.height} ${c.fps.toFixed(0)} fps ${c.videoCodec}+${c.audioCodec}, ${c.durationSeconds.toFixed(1)} s, ${mb(c.bytes)} MiB, ${(c.bitRate / 1e6).toFixed(1)} Mb/s${c.made ? ` (made in ${c.made.seconds.toFixed(0)} s, ${c.made.at})` : ''}`;

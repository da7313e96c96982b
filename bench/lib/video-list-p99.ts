// Scenario "library list during a transcode": an account with `images` images; the steady list load of
// lib/video-load.ts for `idleSeconds` on the idle server, then the same load while the clip is transcoded:
// from the 202 (the transcode job has just started) to the first poll (1 s apart) that sees 'ready'.
// Same server, same account, same load; each phase after a quiet second. The transcode's requests are also
// split by what the job was doing when they were due (from its child processes seen in /proc): before its
// ffmpeg (download, probe), during the HLS ffmpeg, after it (ffprobe per rung, poster, store writes).
import { awaitQuietMachine, busyCoresSince, otherBusyProcesses, readSystemCpu, readTreeCpuSeconds, snapshotProcesses } from './proc.js';
import { sleep } from './report.js';
import type { Clip } from './video-clips.js';
import { startListLoad, summarise, uploadImages, type LoadSample, type LoadSummary } from './video-load.js';
import { deleteVideo, pollUntilDone, startVideoServer, uploadVideo, watchChildren } from './video-server.js';

export type ListPhase = LoadSummary & { phase: string; machineCores: number; serverTreeCores: number; otherCores: number; busiest: string };
export type ListSlice = LoadSummary & { slice: string; over50: number };
export type ListP99Result = {
  images: number; limit: number; rate: number; clients: number; phases: ListPhase[]; slices: ListSlice[]; transcodeSeconds: number; uploadSeconds: number;
};

/** A sample's due time as milliseconds since the epoch (the load runs on performance.now()). */
const dueEpoch = (s: LoadSample) => performance.timeOrigin + s.dueMs;

export async function listDuringTranscode(opts: {
  clip: Clip; images: number; limit: number; rate: number; clients: number; idleSeconds: number; threads: number; nice: number; logLevel: string;
}): Promise<ListP99Result> {
  const vs = await startVideoServer(opts);
  const pid = vs.server.pid;
  const expectItems = Math.min(opts.images, opts.limit);
  try {
    await uploadImages(vs.server.baseUrl, vs.token, opts.images);
    const load = () => startListLoad({ baseUrl: vs.server.baseUrl, token: vs.token, rate: opts.rate, clients: opts.clients, limit: opts.limit });
    const warm = load(); // warm-up of the list path
    await sleep(2000);
    await warm.stop();

    const measure = async (phase: string, body: () => Promise<void>): Promise<{ phase: ListPhase; samples: LoadSample[] }> => {
      const sys0 = readSystemCpu();
      const procs0 = snapshotProcesses();
      const tree0 = readTreeCpuSeconds(pid) ?? 0;
      const self0 = process.cpuUsage();
      const t0 = performance.now();
      const running = load();
      await body();
      const samples = await running.stop();
      const wall = (performance.now() - t0) / 1000;
      const machineCores = busyCoresSince(sys0, wall);
      const serverTreeCores = ((readTreeCpuSeconds(pid) ?? 0) - tree0) / wall;
      const self = process.cpuUsage(self0);
      const busiest = otherBusyProcesses(procs0, wall, [process.pid, pid], 2).map((p) => `${p.command.split(' ').slice(0, 3).join(' ').slice(0, 60)} ${p.cores.toFixed(2)}`).join('; ');
      const otherCores = Math.max(0, machineCores - serverTreeCores - (self.user + self.system) / 1e6 / wall);
      return { phase: { phase, ...summarise(samples, expectItems), machineCores, serverTreeCores, otherCores, busiest }, samples };
    };

    await awaitQuietMachine();
    const idle = await measure('idle server', () => sleep(opts.idleSeconds * 1000));
    await awaitQuietMachine();
    const watch = watchChildren(pid, 100);
    const up = await uploadVideo(vs, opts.clip);
    let readyAt = Number.NaN;
    const during = await measure('during the transcode', async () => {
      const done = await pollUntilDone(vs, up.videoId!, { intervalMs: 1000, timeoutMs: 30 * 60_000 });
      if (done.status !== 'ready') throw new Error(`video ended ${done.status}: ${done.error}`);
      readyAt = done.at;
    });
    const children = watch.stop();
    await deleteVideo(vs, up.videoId!);

    const hls = children.find((c) => c.kind === 'hls');
    const hlsEnd = hls ? (hls.goneAt ?? hls.lastSeenAt) : Number.NaN;
    const slice = (name: string, from: number, to: number): ListSlice => {
      const picked = during.samples.filter((s) => dueEpoch(s) >= from && dueEpoch(s) < to);
      return { slice: name, ...summarise(picked, expectItems), over50: picked.filter((s) => s.doneMs - s.dueMs > 50).length };
    };
    const slices = hls
      ? [
          slice('202 → HLS ffmpeg starts (download, probe)', 0, hls.startedAt),
          slice('HLS ffmpeg running', hls.startedAt, hlsEnd),
          slice('HLS ffmpeg done → ready (ffprobe ×rungs, poster, store writes)', hlsEnd, Number.POSITIVE_INFINITY),
        ]
      : [];
    return {
      images: opts.images, limit: opts.limit, rate: opts.rate, clients: opts.clients, phases: [idle.phase, during.phase], slices,
      transcodeSeconds: (readyAt - up.answeredAt) / 1000, uploadSeconds: up.outcome.msResponse / 1000,
    };
  } finally {
    await vs.close('video-list');
  }
}

// The reference side of the transcode benchmark: the very ffmpeg command Picora's transcode job runs, built
// by the project's own code (probeVideo → planLadder → hlsArgs, from src/media/video) and run bare: no
// server, no job, no store, no poster and no measuring — `nice -n <N> ffmpeg …` in a temporary folder with
// the rung folders made first (as transcode.ts does), with the global arguments runFfmpeg adds
// (`-hide_banner -nostdin -loglevel error -progress pipe:1 -nostats`; the progress goes to /dev/null).
// Wall time from spawn to exit; CPU from the wrapping shell's `times` (user + system of its children).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { hlsArgs } from '../../src/media/video/hls-args.js';
import { planLadder } from '../../src/media/video/ladder.js';
import { probeVideo } from '../../src/media/video/probe.js';
import type { Rung, VideoProbe } from '../../src/media/video/video-types.js';

/** What transcode.ts passes to hlsArgs. */
const SEGMENT_SECONDS = 4;
const GLOBAL_ARGS = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];

export type HlsCommand = { probe: VideoProbe; rungs: Rung[]; args: string[] };

/** The arguments Picora's job gives ffmpeg for `input` at `threads` (runFfmpeg's global ones first). */
export async function hlsCommand(input: string, threads: number): Promise<HlsCommand> {
  const probe = await probeVideo(input, { ffprobe: 'ffprobe', timeoutMs: 60_000 });
  const rungs = planLadder(probe);
  const args = [...GLOBAL_ARGS, ...hlsArgs({ input: path.resolve(input), probe, rungs, threads, segmentSeconds: SEGMENT_SECONDS })];
  return { probe, rungs, args };
}

export type BareRun = { seconds: number; cpuSeconds: number; outputBytes: number; outputFiles: number };

const toSeconds = (s: string): number => {
  const m = /^(\d+)m([\d.]+)s$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
};

async function folderSize(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
    files++;
  }
  return { bytes, files };
}

/** Runs `cmd` once at niceness `nice` (absolute, like setPriority in runFfmpeg) in a fresh temporary folder. */
export async function bareTranscode(cmd: HlsCommand, nice: number): Promise<BareRun> {
  const dir = await mkdtemp(path.join(process.env.BENCH_TMPDIR ?? tmpdir(), 'picora-bench-bare-'));
  try {
    await Promise.all(cmd.rungs.map((r) => mkdir(path.join(dir, r.name), { recursive: true })));
    const relative = nice - getPriority();
    const script = '"$@" >/dev/null; s=$?; echo TIMES_BEGIN; times; exit $s';
    const started = performance.now();
    const child = spawn('sh', ['-c', script, 'sh', 'nice', '-n', String(relative), 'ffmpeg', ...cmd.args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`bare ffmpeg exited with ${code}: ${err.trim().slice(-2000)}`);
    const [, children = ''] = out.slice(out.lastIndexOf('TIMES_BEGIN')).trim().split('\n').slice(1);
    const [cu = '', cs = ''] = children.trim().split(/\s+/);
    const size = await folderSize(dir);
    return { seconds, cpuSeconds: toSeconds(cu) + toSeconds(cs), outputBytes: size.bytes, outputFiles: size.files };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The command as a shell line, for the record (the input path shortened to its name). */
export function printableCommand(cmd: HlsCommand, nice: number): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return `nice -n ${nice} ffmpeg ${cmd.args.map((a) => quote(a.startsWith('file:/') ? `file:${path.basename(a)}` : a)).join(' ')}`;
}

// Runs ffmpeg and ffprobe as child processes: spawned directly (no shell), at a lower CPU priority, killed on
// abort, on timeout and when this process goes away, with the tail of stderr kept for the error.
//
// "Goes away" includes SIGKILL (the OOM killer, a pool's budget kill), which runs no 'exit' handler: where
// util-linux's setpriv is available (Debian), the child is started through `setpriv --pdeathsig KILL`, so the
// kernel kills it when its parent dies. setpriv execs the binary: the pid we hold is ffmpeg's own.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import path from 'node:path';
import { MediaError } from '../media-error.js';

export type FfmpegBinaries = { ffmpeg: string; ffprobe: string };

export type RunOptions = {
  signal?: AbortSignal;
  /** CPU niceness for the child (0–19); unset = inherit ours. */
  nice?: number;
  /** Past this the child is killed and the run fails with MediaError 'too_slow'. */
  timeoutMs?: number | undefined;
  /** The child's working directory (relative output names are resolved against it). */
  cwd?: string;
};

export type FfmpegRunOptions = RunOptions & {
  /** Called with the output position in seconds as ffmpeg reports it (`-progress pipe:1`, about twice a second). */
  onProgress?: (outTimeSeconds: number) => void;
};

/** What a failed run left behind; the `cause` of the MediaError it becomes (for logs: the user sees the message). */
export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    /** The last STDERR_TAIL_BYTES of stderr. */
    readonly stderr: string,
  ) {
    super(message);
  }
}

const STDERR_TAIL_BYTES = 8 * 1024;
/** ffprobe's JSON for a sane file is a few KB; a file with thousands of streams is not one we want. */
const MAX_PROBE_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Is ffmpeg (and ffprobe) there and runnable? A reason a person can act on when not. */
export async function checkFfmpeg(bins: FfmpegBinaries): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  let version = '';
  for (const [tool, bin] of [['ffmpeg', bins.ffmpeg], ['ffprobe', bins.ffprobe]] as const) {
    const setting = tool === 'ffmpeg' ? 'PICORA_FFMPEG_PATH' : 'PICORA_FFPROBE_PATH';
    try {
      const out = await runTracked(bin, ['-hide_banner', '-version'], { timeoutMs: 15_000, direct: true, collectStdout: 64 * 1024 });
      const found = /^\S+ version (\S+)/m.exec(out.stdout);
      if (out.exitCode !== 0 || !found) return { ok: false, reason: `${tool} at "${bin}" does not run (${setting}): ${lastLine(out.stderr) || `exit code ${out.exitCode}`}` };
      if (tool === 'ffmpeg') version = found[1]!;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        const where = bin.includes('/') ? `at "${bin}"` : 'on PATH';
        return { ok: false, reason: `${tool} not found ${where} (${setting}); install Debian's ffmpeg package` };
      }
      return { ok: false, reason: `${tool} at "${bin}" does not run (${setting}): ${(err as Error).message}` };
    }
  }
  return { ok: true, version };
}

/**
 * Runs ffmpeg with `args` (after `-hide_banner -nostdin -loglevel error`, plus `-progress pipe:1 -nostats` when
 * onProgress is given). Resolves when it exits 0. Rejects with the signal's AbortError when aborted, MediaError
 * 'too_slow' past timeoutMs, MediaError 'corrupt' (a short reason from stderr) or 'unsupported' (a demuxer not
 * allowed) when the file is to blame; in each case only once the child is gone. The server's own failures reject
 * with a plain Error: a missing binary (code 'ENOENT'), or an FfmpegError (no disk space, killed from outside).
 */
export async function runFfmpeg(bin: string, args: readonly string[], opts: FfmpegRunOptions = {}): Promise<void> {
  const { onProgress } = opts;
  const full = ['-hide_banner', '-nostdin', '-loglevel', 'error', ...(onProgress ? ['-progress', 'pipe:1', '-nostats'] : []), ...args];
  let pending = '';
  let sawMicroseconds = false;
  const onStdout = onProgress
    ? (chunk: Buffer): void => {
        pending += chunk.toString('latin1');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const [key, value] = line.trim().split('=', 2);
          // out_time_ms is microseconds too (an old ffmpeg quirk); used only when out_time_us is absent
          if (key === 'out_time_us') sawMicroseconds = true;
          else if (key !== 'out_time_ms' || sawMicroseconds) continue;
          const us = Number(value);
          if (value !== '' && Number.isFinite(us) && us >= 0) onProgress(us / 1e6);
        }
      }
    : undefined;
  const out = await runTracked(bin, full, { ...opts, onStdout });
  if (out.exitCode !== 0) throw failure('ffmpeg', out, args);
}

/** Runs ffprobe with `args` and returns its stdout; failures as for runFfmpeg. */
export async function runFfprobe(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const out = await runTracked(bin, ['-hide_banner', ...args], { ...opts, collectStdout: MAX_PROBE_OUTPUT_BYTES });
  if (out.exitCode !== 0) throw failure('ffprobe', out, args);
  return out.stdout;
}

/** An input path as ffmpeg must see it: absolute, behind `file:` so no name is ever read as a protocol or option. */
export function fileArg(file: string): string {
  return `file:${path.resolve(file)}`;
}

/**
 * Demuxers an uploaded file may be opened with: the accepted containers, plus a few audio ones so an audio file
 * is told apart ("no video stream") from garbage. Anything else (image pipes, concat lists, HLS playlists that
 * would open other files) is refused by ffmpeg itself, whatever the sniffing said.
 */
export const UPLOAD_DEMUXERS = 'mov,matroska,avi,mp3,ogg,wav,flac,aac';

/** `-i` for an uploaded file, behind the protocol (local files only) and demuxer allow-lists. */
export function uploadInputArgs(file: string, demuxers: string = UPLOAD_DEMUXERS): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', demuxers, '-i', fileArg(file)];
}

type Outcome = { exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

type TrackedOptions = RunOptions & {
  onStdout?: ((chunk: Buffer) => void) | undefined;
  /** Keep stdout (up to this many bytes; more kills the child and fails the run). */
  collectStdout?: number;
  /** Spawn without the setpriv wrapper (for `-version`, where ENOENT must come from the binary itself). */
  direct?: boolean;
};

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  for (const child of live) child.kill('SIGKILL');
}

async function runTracked(bin: string, args: readonly string[], opts: TrackedOptions): Promise<Outcome> {
  const { signal } = opts;
  if (signal?.aborted) throw abortReason(signal);
  if (!exitHookInstalled) {
    process.on('exit', killAllOnExit);
    exitHookInstalled = true;
  }
  const wrapper = opts.direct ? undefined : pdeathsigWrapper();
  const program = bin.includes('/') ? path.resolve(bin) : bin; // a relative path must not move with `cwd`
  const [command, argv] = wrapper ? [wrapper, ['--pdeathsig', 'KILL', '--', program, ...args]] : [program, [...args]];

  return new Promise<Outcome>((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, cwd: opts.cwd });
    live.add(child);
    if (opts.nice !== undefined && child.pid !== undefined) {
      try {
        setPriority(child.pid, opts.nice);
      } catch {
        // not permitted (a negative niceness without the capability): run at our own priority
      }
    }

    let stderr = Buffer.alloc(0);
    let stderrCut = false;
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let killedFor: 'abort' | 'timeout' | 'output' | undefined;
    const kill = (why: NonNullable<typeof killedFor>): void => {
      if (killedFor) return;
      killedFor = why;
      child.kill('SIGKILL');
    };

    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      if (stderr.length > STDERR_TAIL_BYTES) {
        stderr = stderr.subarray(stderr.length - STDERR_TAIL_BYTES);
        stderrCut = true;
      }
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (opts.collectStdout !== undefined) {
        stdoutBytes += chunk.length;
        if (stdoutBytes > opts.collectStdout) kill('output');
        else stdoutChunks.push(chunk);
      }
      if (!killedFor) opts.onStdout?.(chunk);
    });

    const onAbort = (): void => kill('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs !== undefined ? setTimeout(() => kill('timeout'), opts.timeoutMs) : undefined;

    let spawnError: NodeJS.ErrnoException | undefined;
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
    });
    child.once('close', (code, exitSignal) => {
      live.delete(child);
      signal?.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
      let tail = stderr.toString('utf8');
      if (stderrCut) tail = tail.slice(tail.indexOf('\n') + 1); // the first line lost its beginning
      if (spawnError) return reject(spawnError);
      if (killedFor === 'abort') return reject(abortReason(signal!));
      if (killedFor === 'timeout') {
        const budget = opts.timeoutMs! < 10_000 ? (opts.timeoutMs! / 1000).toFixed(1) : String(Math.round(opts.timeoutMs! / 1000));
        return reject(new MediaError('too_slow', `${path.basename(bin)} did not finish within ${budget} s`));
      }
      if (killedFor === 'output') return reject(new MediaError('corrupt', `${path.basename(bin)} wrote more than ${opts.collectStdout} bytes`));
      // setpriv could not exec the binary: the same as spawn's ENOENT
      if (wrapper && code === 127 && /failed to execute/.test(tail)) {
        return reject(Object.assign(new Error(`${bin} not found: ${lastLine(tail)}`), { code: 'ENOENT' }));
      }
      resolve({ exitCode: code, signal: exitSignal, stdout: Buffer.concat(stdoutChunks).toString('utf8'), stderr: tail });
    });
  });
}

let wrapperChecked = false;
let wrapperPath: string | undefined;

/** `/usr/bin/setpriv` when it exists and knows --pdeathsig (util-linux ≥ 2.33); checked once. */
function pdeathsigWrapper(): string | undefined {
  if (!wrapperChecked) {
    wrapperChecked = true;
    const candidate = '/usr/bin/setpriv';
    if (process.platform === 'linux' && existsSync(candidate)) {
      const probe = spawnSync(candidate, ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5_000 });
      if (probe.status === 0) wrapperPath = candidate;
    }
  }
  return wrapperPath;
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

/** Failures that are the server's, not the file's: a retry later may succeed. */
const SERVER_FAULT = /No space left on device|Disk quota exceeded|Cannot allocate memory|Read-only file system|Too many open files/i;
/** Signals a process gets from outside (the OOM killer, an operator), as opposed to a crash on the file's bytes. */
const KILLED_FROM_OUTSIDE = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP']);

/**
 * A failed run as an error: MediaError 'unsupported' / 'corrupt' when the file is to blame (the user sees the
 * message), a plain FfmpegError when the server is (no disk space, no memory, killed from outside).
 */
function failure(tool: string, out: Outcome, args: readonly string[]): Error {
  const how = out.signal ? `was killed by ${out.signal}` : `exited with code ${out.exitCode}`;
  const cause = new FfmpegError(`${tool} ${how}`, out.exitCode, out.stderr);
  if ((out.signal && KILLED_FROM_OUTSIDE.has(out.signal)) || SERVER_FAULT.test(out.stderr)) {
    const reason = shortReason(out.stderr, args);
    return new FfmpegError(`${tool} ${how}${reason ? `: ${reason}` : ''}`, out.exitCode, out.stderr);
  }
  if (/Format not on whitelist/.test(out.stderr)) return new MediaError('unsupported', 'the file is not in a video container we accept', { cause });
  const reason = shortReason(out.stderr, args) || (out.signal ? `it crashed (${out.signal})` : `exit code ${out.exitCode}`);
  return new MediaError('corrupt', `${tool} could not read the video: ${reason}`, { cause });
}

/**
 * The most telling line of ffmpeg's stderr, with our paths cut to their base names (the message is shown to the
 * file's owner; the full tail stays on the FfmpegError).
 */
export function shortReason(stderr: string, args: readonly string[] = []): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^Conversion failed!?$/.test(l) && !/^Error opening output files?/.test(l));
  let line = lines.find((l) => /invalid data|moov atom not found|no such file|could not find codec|unsupported|error while decoding|invalid argument|does not contain any stream/i.test(l));
  line ??= lines.at(-1) ?? '';
  line = line.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/, ''); // drop "[mov,mp4,… @ 0x55…] "
  for (const arg of args) {
    if (arg.includes('/') && line.includes(arg)) line = line.split(arg).join(path.basename(arg));
  }
  line = line.replace(/(?:file:)?(?:\/[^\s/:'"]+)+\/([^\s/:'"]+)/g, '$1');
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).at(-1)?.trim() ?? '';
}

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { MediaError } from '../../src/media/media-error.js';
import { FfmpegError, checkFfmpeg, runFfmpeg, shortReason } from '../../src/media/video/ffmpeg.js';
import { childrenOf } from '../support/processes.js';
import { isCI } from '../support/services.js';
import { ffmpegAvailable, testBins } from '../support/video-clips.js';

const skip = (await ffmpegAvailable()) ? false : isCI ? false : 'ffmpeg is not installed';
/** An encode that runs for many seconds: long enough to be stopped. */
const endless = ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-t', '600', '-c:v', 'libx264', '-preset', 'veryfast', '-f', 'null', '-'];

/** Running, not a zombie (a dead child whose new parent has not reaped it yet). */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

async function ffmpegChildren(parent: number): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await childrenOf(parent)) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'ffmpeg') out.push(pid);
  }
  return out;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('checkFfmpeg', { skip }, () => {
  it('reports the version when both binaries run', async () => {
    const result = await checkFfmpeg(testBins);
    assert.ok(result.ok, JSON.stringify(result));
    assert.match(result.version, /^\d+\.\d+/);
  });

  it('says what to do when a binary is missing', async () => {
    const onPath = await checkFfmpeg({ ffmpeg: 'picora-no-such-ffmpeg', ffprobe: testBins.ffprobe });
    assert.deepEqual(onPath, { ok: false, reason: "ffmpeg not found on PATH (PICORA_FFMPEG_PATH); install Debian's ffmpeg package" });
    const atPath = await checkFfmpeg({ ffmpeg: testBins.ffmpeg, ffprobe: '/nowhere/ffprobe' });
    assert.equal(atPath.ok, false);
    assert.match(!atPath.ok ? atPath.reason : '', /^ffprobe not found at "\/nowhere\/ffprobe" \(PICORA_FFPROBE_PATH\)/);
  });
});

describe('runFfmpeg', { skip }, () => {
  it('reports the output time as it goes', async () => {
    const seen: number[] = [];
    await runFfmpeg(testBins.ffmpeg, ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '2', '-f', 'null', '-'], { onProgress: (s) => seen.push(s), nice: 5 });
    assert.ok(seen.length > 0);
    assert.ok(Math.abs(seen.at(-1)! - 2) < 0.1, `last ${seen.at(-1)}`);
  });

  it('turns a failure into MediaError corrupt with a short reason and the stderr tail as its cause', async () => {
    const err = await runFfmpeg(testBins.ffmpeg, ['-i', 'file:/nowhere/clip.mp4', '-f', 'null', '-']).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof MediaError && err.kind === 'corrupt', String(err));
    assert.match(err.message, /clip\.mp4: No such file or directory/);
    assert.ok(!err.message.includes('/nowhere'), err.message);
    assert.ok(err.cause instanceof FfmpegError && err.cause.stderr.includes('/nowhere/clip.mp4'));
  });

  it('kills ffmpeg past its time budget: MediaError too_slow', async () => {
    const started = performance.now();
    await assert.rejects(runFfmpeg(testBins.ffmpeg, endless, { timeoutMs: 300 }), (err: unknown) => err instanceof MediaError && err.kind === 'too_slow');
    assert.ok(performance.now() - started < 5_000);
    assert.deepEqual(await ffmpegChildren(process.pid), []);
  });

  it('runs ffmpeg at the niceness asked; kills it promptly on abort and rejects with the AbortError once it is gone', async () => {
    const ac = new AbortController();
    const run = runFfmpeg(testBins.ffmpeg, endless, { signal: ac.signal, nice: 7 });
    const [pid] = await waitFor('ffmpeg to start', async () => ((await ffmpegChildren(process.pid)).length ? ffmpegChildren(process.pid) : undefined));
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    assert.equal(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16], '7', 'niceness (field 19 of /proc/<pid>/stat)');
    const aborted = performance.now();
    ac.abort();
    await assert.rejects(run, { name: 'AbortError' });
    assert.ok(performance.now() - aborted < 1_000, `${performance.now() - aborted} ms`);
    assert.equal(await isRunning(pid!), false);
  });

  it('refuses to start when the signal is already aborted', async () => {
    await assert.rejects(runFfmpeg(testBins.ffmpeg, endless, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  for (const how of ['process.exit', 'SIGKILL'] as const) {
    const noSetpriv = how === 'SIGKILL' && !existsSync('/usr/bin/setpriv') ? 'needs util-linux setpriv' : false;
    it(`never leaves ffmpeg running after its parent is gone (${how})`, { skip: noSetpriv }, async () => {
      const moduleUrl = new URL('../../src/media/video/ffmpeg.ts', import.meta.url).href;
      const script = `
        const { runFfmpeg } = await import(${JSON.stringify(moduleUrl)});
        runFfmpeg(${JSON.stringify(testBins.ffmpeg)}, ${JSON.stringify(endless)}).catch(() => {});
        process.stdin.on('data', () => process.exit(0));
        setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'ignore', 'inherit'] });
      try {
        const [pid] = await waitFor('ffmpeg in the child', async () => ((await ffmpegChildren(child.pid!)).length ? ffmpegChildren(child.pid!) : undefined), 20_000);
        if (how === 'SIGKILL') child.kill('SIGKILL');
        else child.stdin!.write('exit\n');
        await waitFor('ffmpeg to die', async () => ((await isRunning(pid!)) ? undefined : true), 5_000);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});

describe('shortReason', () => {
  it('picks the telling line, drops the demuxer prefix and our paths', () => {
    const stderr = '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d1c0a8c2c0] moov atom not found\nfile:/srv/picora/tmp/abc/in.mp4: Invalid data found when processing input\n';
    assert.equal(shortReason(stderr, ['file:/srv/picora/tmp/abc/in.mp4']), 'moov atom not found');
    assert.equal(shortReason('file:/srv/x/in.mp4: Invalid data found when processing input\n'), 'in.mp4: Invalid data found when processing input');
    assert.equal(shortReason(''), '');
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { MediaError } from '../../src/media/media-error.js';
import { parseMediaPlaylist } from '../../src/media/video/hls-rendition.js';
import { planLadder } from '../../src/media/video/ladder.js';
import { buildMasterPlaylist } from '../../src/media/video/master-playlist.js';
import { rewritePlaylistUris } from '../../src/media/video/playlist-rewrite.js';
import { extractPoster } from '../../src/media/video/poster.js';
import { probeVideo } from '../../src/media/video/probe.js';
import { transcodeToHls } from '../../src/media/video/transcode.js';
import type { HlsOutput, VideoProbe } from '../../src/media/video/video-types.js';
import { isCI } from '../support/services.js';
import { ffmpegAvailable, generateClip, testBins, type ClipKind } from '../support/video-clips.js';

const run = promisify(execFile);
const skip = (await ffmpegAvailable()) ? false : isCI ? false : 'ffmpeg is not installed';
// niceness 0: the suites share the box with other test files, and the niceness itself is tested in video-ffmpeg
const common = { bins: testBins, threads: 2, nice: 0 };

let work: string;
before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'picora-video-test-'));
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function prepare(kind: ClipKind): Promise<{ input: string; probe: VideoProbe }> {
  const input = await generateClip(kind);
  return { input, probe: await probeVideo(input, { ffprobe: testBins.ffprobe }) };
}

/** ffprobe's JSON for one file. */
async function ffprobe(file: string, ...extra: string[]): Promise<{ streams: Record<string, unknown>[] }> {
  const { stdout } = await run(testBins.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', ...extra, file]);
  return JSON.parse(stdout) as { streams: Record<string, unknown>[] };
}

/** The H.264 codec string written in an init section's avcC box: profile, constraint flags, level. */
function avcCFromInit(init: Buffer): string {
  const at = init.indexOf('avcC', 0, 'latin1');
  assert.ok(at > 0, 'init.mp4 has an avcC box');
  return `avc1.${init.subarray(at + 5, at + 8).toString('hex')}`;
}

/** Mean absolute difference per channel of two images scaled to 64×36. */
async function difference(a: Buffer | string, b: Buffer | string): Promise<number> {
  const small = (img: Buffer | string): Promise<Buffer> => sharp(img).resize(64, 36, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const [x, y] = await Promise.all([small(a), small(b)]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}

describe('transcodeToHls: the landscape clip (1280×720, 3 s, H.264 + AAC)', { skip }, () => {
  let outDir: string;
  let output: HlsOutput;
  let probe: VideoProbe;
  const progress: number[] = [];
  let seconds = 0;

  before(async () => {
    if (skip) return;
    const clip = await prepare('landscape');
    probe = clip.probe;
    outDir = path.join(work, 'landscape');
    // what a killed earlier run could have left behind
    await mkdir(path.join(outDir, '1080p'), { recursive: true });
    await writeFile(path.join(outDir, '1080p', 'seg_007.m4s'), 'stale');
    await writeFile(path.join(outDir, 'stale.tmp'), 'stale');
    const started = performance.now();
    output = await transcodeToHls({ ...common, input: clip.input, outDir, probe, rungs: planLadder(probe), onProgress: (p) => progress.push(p) });
    seconds = (performance.now() - started) / 1000;
    console.log(`# landscape transcode (360p+480p+720p, poster): ${seconds.toFixed(2)} s`);
  });

  it('writes every rung, the poster, and lists exactly those files (sorted), nothing stale', async () => {
    const expected = ['360p', '480p', '720p'].flatMap((r) => [`${r}/index.m3u8`, `${r}/init.mp4`, `${r}/seg_000.m4s`]).concat('poster.jpg');
    assert.deepEqual(output.files, expected);
    for (const rel of output.files) assert.ok((await stat(path.join(outDir, rel))).size > 0, rel);
    await assert.rejects(stat(path.join(outDir, 'stale.tmp')));
    await assert.rejects(stat(path.join(outDir, '1080p')));
    assert.equal(output.posterFile, 'poster.jpg');
    assert.equal(output.durationSeconds, probe.durationSeconds);
  });

  it('describes each rendition truthfully: size, peak and mean rate from the files, RFC 6381 codecs, frame rate', async () => {
    assert.deepEqual(output.renditions.map((r) => [r.name, r.width, r.height]), [['360p', 640, 360], ['480p', 854, 480], ['720p', 1280, 720]]);
    for (const r of output.renditions) {
      const dir = path.join(outDir, r.name);
      const playlist = parseMediaPlaylist(await readFile(path.join(dir, 'index.m3u8'), 'utf8'));
      const init = await readFile(path.join(dir, 'init.mp4'));
      const segment = (await stat(path.join(dir, 'seg_000.m4s'))).size;
      const duration = playlist.segments[0]!.durationSeconds;
      assert.equal(r.bandwidth, Math.ceil(((segment + init.length) * 8) / duration), `${r.name} BANDWIDTH`);
      assert.equal(r.averageBandwidth, r.bandwidth, 'one segment: mean = peak');
      assert.equal(r.codecs, `${avcCFromInit(init)},mp4a.40.2`, `${r.name} CODECS match the init section`);
      assert.match(r.codecs, /^avc1\.6400(1e|1f|20),mp4a\.40\.2$/, 'High profile');
      assert.equal(r.frameRate, 30);
      assert.ok(r.bandwidth < (r.name === '360p' ? 900_000 : r.name === '480p' ? 1_400_000 : 3_000_000) + 128_000 + 80_000, `${r.name} within its cap: ${r.bandwidth}`);
    }
  });

  it('builds a master playlist from the renditions', () => {
    const master = buildMasterPlaylist(output.renditions, (r) => `${r.name}/index.m3u8`);
    const inf = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
    assert.equal(inf.length, 3);
    const [low] = output.renditions;
    assert.equal(inf[0], `#EXT-X-STREAM-INF:BANDWIDTH=${low!.bandwidth},AVERAGE-BANDWIDTH=${low!.averageBandwidth},RESOLUTION=640x360,FRAME-RATE=30.000,CODECS="${low!.codecs}"`);
    assert.match(inf[2]!, /RESOLUTION=1280x720,/);
  });

  it('cuts segments of at most ~4 s, with a truthful target duration and one init.mp4', async () => {
    for (const r of output.renditions) {
      const text = await readFile(path.join(outDir, r.name, 'index.m3u8'), 'utf8');
      const playlist = parseMediaPlaylist(text);
      assert.equal(playlist.initUri, 'init.mp4');
      const total = playlist.segments.reduce((s, x) => s + x.durationSeconds, 0);
      assert.ok(Math.abs(total - 3) < 0.1, `total ${total}`);
      for (const s of playlist.segments) assert.ok(s.durationSeconds <= 4.1);
      assert.match(text, /#EXT-X-TARGETDURATION:3\n/);
      assert.match(text, /#EXT-X-PLAYLIST-TYPE:VOD\n/);
      assert.match(text, /#EXT-X-ENDLIST/);
    }
  });

  it('reports monotonic progress from 0, ending at 100', () => {
    assert.equal(progress[0], 0);
    assert.equal(progress.at(-1), 100);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]! > progress[i - 1]!, progress.join(' '));
    assert.ok(progress.every((p) => Number.isInteger(p) && p >= 0 && p <= 100));
  });

  it('is playable: ffmpeg decodes a rung through its playlist, video and audio', async () => {
    const playlist = path.join(outDir, '720p', 'index.m3u8');
    const probed = await ffprobe(playlist);
    assert.deepEqual(probed.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    await run(testBins.ffmpeg, ['-v', 'error', '-xerror', '-i', path.join(outDir, '360p', 'index.m3u8'), '-f', 'null', '-']);
  });

  it('takes the poster of a 3 s clip from its middle (1.5 s), not its first frame', async () => {
    const poster = await readFile(path.join(outDir, 'poster.jpg'));
    const meta = await sharp(poster).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1280, 720]);
    const frame = async (t: string): Promise<Buffer> => (await run(testBins.ffmpeg, ['-v', 'error', '-ss', t, '-i', await generateClip('landscape'), '-frames:v', '1', '-f', 'image2', '-c:v', 'png', '-'], { encoding: 'buffer' })).stdout;
    const [middle, first] = await Promise.all([frame('1.5'), frame('0')]);
    const toMiddle = await difference(poster, middle);
    const toFirst = await difference(poster, first);
    assert.ok(toMiddle < 2 && toFirst > 2 * toMiddle, `difference to the middle frame ${toMiddle}, to the first ${toFirst}`);
  });

  it('rewrites every URI of its real playlists', async () => {
    const media = await readFile(path.join(outDir, '480p', 'index.m3u8'), 'utf8');
    const signed = rewritePlaylistUris(media, (u) => `${u}?token=abc`);
    assert.match(signed, /#EXT-X-MAP:URI="init\.mp4\?token=abc"/);
    assert.match(signed, /\nseg_000\.m4s\?token=abc\n/);
    assert.equal(signed.replace(/\?token=abc/g, ''), media, 'nothing else changed');
    const master = buildMasterPlaylist(output.renditions, (r) => `${r.name}/index.m3u8`);
    const signedMaster = rewritePlaylistUris(master, (u) => `/v/x/${u}?token=abc`);
    assert.deepEqual(signedMaster.split('\n').filter((l) => l && !l.startsWith('#')), ['360p', '480p', '720p'].map((r) => `/v/x/${r}/index.m3u8?token=abc`));
  });
});

describe('transcodeToHls: other sources', { skip }, () => {
  it('gives a 240p source one 240p rung cut into ~4 s segments (9 s → 4 + 4 + 1)', async () => {
    const { input, probe } = await prepare('small240');
    const rungs = planLadder(probe);
    const outDir = path.join(work, 'small240');
    const out = await transcodeToHls({ ...common, input, outDir, probe, rungs });
    assert.deepEqual(out.renditions.map((r) => [r.name, r.width, r.height]), [['240p', 426, 240]]);
    const text = await readFile(path.join(outDir, '240p', 'index.m3u8'), 'utf8');
    const durations = parseMediaPlaylist(text).segments.map((s) => Math.round(s.durationSeconds * 10) / 10);
    assert.deepEqual(durations, [4, 4, 1]);
    assert.match(text, /#EXT-X-TARGETDURATION:4\n/);
    const r = out.renditions[0]!;
    assert.ok(r.bandwidth >= r.averageBandwidth && r.averageBandwidth > 0, `peak ${r.bandwidth}, mean ${r.averageBandwidth}`);
    assert.deepEqual(out.files, ['240p/index.m3u8', '240p/init.mp4', '240p/seg_000.m4s', '240p/seg_001.m4s', '240p/seg_002.m4s', 'poster.jpg']);
  });

  it('leaves mp4a out of CODECS when the source has no audio', async () => {
    const { input, probe } = await prepare('noAudio');
    const outDir = path.join(work, 'no-audio');
    const out = await transcodeToHls({ ...common, input, outDir, probe, rungs: planLadder(probe) });
    assert.equal(out.renditions.length, 1);
    assert.match(out.renditions[0]!.codecs, /^avc1\.6400[0-9a-f]{2}$/);
    const probed = await ffprobe(path.join(outDir, '360p', 'index.m3u8'));
    assert.deepEqual(probed.streams.map((s) => s.codec_type), ['video']);
  });

  it('encodes a rotated phone clip upright (720×1280 display → 360×640), with no rotation left in the output', async () => {
    const { input, probe } = await prepare('rotated');
    const outDir = path.join(work, 'rotated');
    const out = await transcodeToHls({ ...common, input, outDir, probe, rungs: planLadder(probe).slice(0, 1) });
    assert.deepEqual(out.renditions.map((r) => [r.width, r.height]), [[360, 640]]);
    const probed = await ffprobe(path.join(outDir, '360p', 'init.mp4'));
    assert.equal(probed.streams[0]!.side_data_list, undefined);
    const poster = await sharp(path.join(outDir, 'poster.jpg')).metadata();
    assert.deepEqual([poster.width, poster.height], [720, 1280]);
  });

  it('fails with MediaError corrupt, with a readable reason, when the picture data cannot be decoded', async () => {
    const { input, probe } = await prepare('garbled');
    await assert.rejects(transcodeToHls({ ...common, input, outDir: path.join(work, 'garbled'), probe, rungs: planLadder(probe) }), (err: unknown) => {
      assert.ok(err instanceof MediaError && err.kind === 'corrupt', String(err));
      assert.match(err.message, /^ffmpeg could not read the video: Error while decoding stream #0:0: Invalid data found/);
      return true;
    });
  });

  it('stops promptly on abort (ffmpeg killed) and rejects with the AbortError', async () => {
    const { input, probe } = await prepare('landscape');
    const ac = new AbortController();
    let abortedAt = 0;
    const started = transcodeToHls({
      ...common, input, outDir: path.join(work, 'aborted'), probe, rungs: planLadder(probe), signal: ac.signal,
      onProgress: (p) => {
        if (p > 0 && !abortedAt) {
          abortedAt = performance.now();
          ac.abort();
        }
      },
    });
    await assert.rejects(started, { name: 'AbortError' });
    assert.ok(abortedAt > 0, 'aborted during the encode');
    assert.ok(performance.now() - abortedAt < 1_000, `${performance.now() - abortedAt} ms after abort`);
  });
});

describe('extractPoster', { skip }, () => {
  it('falls back to the first frame when asked past the end (ffmpeg 5.1 writes nothing then)', async () => {
    const out = path.join(work, 'late.jpg');
    await extractPoster({ input: await generateClip('landscape'), out, atSeconds: 10, bins: testBins });
    assert.equal((await sharp(out).metadata()).format, 'jpeg');
  });

  it('keeps the long side within 1280 and never enlarges', async () => {
    const big = path.join(work, 'big.mp4');
    await run(testBins.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=2000x1000:rate=5', '-t', '0.4', '-c:v', 'libx264', '-preset', 'ultrafast', big]);
    const bigPoster = path.join(work, 'big.jpg');
    await extractPoster({ input: big, out: bigPoster, atSeconds: 0.2, bins: testBins, nice: 5 });
    const scaled = await sharp(bigPoster).metadata();
    assert.deepEqual([scaled.width, scaled.height], [1280, 640]);
    const tinyPoster = path.join(work, 'tiny.jpg');
    await extractPoster({ input: await generateClip('long'), out: tinyPoster, atSeconds: 5, bins: testBins });
    const tiny = await sharp(tinyPoster).metadata();
    assert.deepEqual([tiny.width, tiny.height], [64, 64]);
  });
});

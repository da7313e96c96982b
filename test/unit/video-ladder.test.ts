import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { audioCodecString, avcCodecString } from '../../src/media/video/codecs.js';
import { gopFrames, hlsArgs, ladderFilter, outputFps } from '../../src/media/video/hls-args.js';
import { parseMediaPlaylist } from '../../src/media/video/hls-rendition.js';
import { planLadder } from '../../src/media/video/ladder.js';
import { buildMasterPlaylist } from '../../src/media/video/master-playlist.js';
import { rewritePlaylistUris } from '../../src/media/video/playlist-rewrite.js';
import type { Rendition } from '../../src/media/video/video-types.js';

const size = (width: number, height: number) => ({ width, height });
const names = (w: number, h: number): string[] => planLadder(size(w, h)).map((r) => r.name);

describe('planLadder', () => {
  it('gives a 1080p landscape source all four rungs, lowest first, with 2× buffers', () => {
    const rungs = planLadder(size(1920, 1080));
    assert.deepEqual(rungs.map((r) => r.name), ['360p', '480p', '720p', '1080p']);
    assert.deepEqual(rungs.map((r) => r.maxrateKbps), [900, 1400, 3000, 6000]);
    for (const r of rungs) assert.equal(r.bufsizeKbps, 2 * r.maxrateKbps);
  });

  it('measures a portrait source by its width (its short side)', () => {
    assert.deepEqual(names(720, 1280), ['360p', '480p', '720p']);
    assert.deepEqual(names(1080, 1920), ['360p', '480p', '720p', '1080p']);
  });

  it('never goes above the source, and never past four rungs', () => {
    assert.deepEqual(names(1280, 720), ['360p', '480p', '720p']);
    assert.deepEqual(names(854, 480), ['360p', '480p']);
    assert.deepEqual(names(640, 360), ['360p']);
    assert.deepEqual(names(700, 400), ['360p']);
    assert.deepEqual(names(3840, 2160), ['360p', '480p', '720p', '1080p']);
    assert.deepEqual(names(7680, 4320).length, 4);
  });

  it('gives a source below 360p one rung at its own short side, rounded down to even', () => {
    const [only, ...rest] = planLadder(size(426, 240));
    assert.equal(rest.length, 0);
    assert.deepEqual(only, { name: '240p', shortSide: 240, maxrateKbps: 400, bufsizeKbps: 800 });
    assert.deepEqual(names(320, 181), ['180p']);
    assert.deepEqual(names(241, 500), ['240p'], 'portrait: by the width');
    assert.equal(planLadder(size(64, 64))[0]!.maxrateKbps, 200, 'tiny rungs keep a floor rate');
  });
});

describe('hlsArgs', () => {
  const probe = { width: 1920, height: 1080, fps: 29.97, hasAudio: true };

  it('encodes every rung in one run: split + var_stream_map, capped CRF, aligned 2 s GOPs, fMP4 HLS', () => {
    const args = hlsArgs({ input: '/in/clip.mp4', probe, rungs: planLadder(probe), threads: 2, segmentSeconds: 4 });
    const after = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
    assert.equal(after('-i'), 'file:/in/clip.mp4');
    assert.equal(after('-filter_complex'), '[0:V:0]split=4[s0][s1][s2][s3];[s0]scale=-2:360[v0];[s1]scale=-2:480[v1];[s2]scale=-2:720[v2];[s3]scale=-2:1080[v3]');
    assert.equal(after('-var_stream_map'), 'v:0,a:0,name:360p v:1,a:1,name:480p v:2,a:2,name:720p v:3,a:3,name:1080p');
    assert.equal(after('-g'), '60');
    assert.equal(after('-keyint_min'), '60');
    assert.equal(after('-sc_threshold'), '0');
    assert.equal(after('-maxrate:v:3'), '6000k');
    assert.equal(after('-bufsize:v:0'), '1800k');
    assert.equal(after('-hls_time'), '4');
    assert.equal(after('-hls_segment_type'), 'fmp4');
    assert.equal(after('-format_whitelist'), 'mov,matroska,avi,mp3,ogg,wav,flac,aac');
    assert.equal(args.filter((a) => a === '0:a:0').length, 4, 'one audio copy per rung');
    assert.equal(args.at(-1), '%v/index.m3u8');
  });

  it('scales a portrait source by width, drops audio maps without audio, and skips split for one rung', () => {
    const portrait = { width: 720, height: 1280, fps: 30, hasAudio: false };
    assert.match(ladderFilter(portrait, planLadder(portrait)), /\[s0\]scale=360:-2\[v0\];\[s1\]scale=480:-2\[v1\];\[s2\]scale=720:-2\[v2\]$/);
    const args = hlsArgs({ input: 'x.mkv', probe: portrait, rungs: planLadder(portrait), threads: 1, segmentSeconds: 4 });
    assert.ok(!args.some((a) => a.includes('0:a')) && !args.includes('-c:a'));
    assert.equal(args[args.indexOf('-var_stream_map') + 1], 'v:0,name:360p v:1,name:480p v:2,name:720p');
    const small = { width: 426, height: 240, fps: 30, hasAudio: true };
    assert.equal(ladderFilter(small, planLadder(small)), '[0:V:0]scale=-2:240[v0]');
  });

  it('caps the frame rate at 60 and sizes the GOP from it', () => {
    assert.equal(outputFps(240), 60);
    assert.equal(outputFps(119.88), 59.94);
    assert.equal(outputFps(0), 30);
    assert.equal(gopFrames(29.97), 60);
    assert.equal(gopFrames(24), 48);
    assert.equal(gopFrames(1), 2);
    assert.equal(gopFrames(120), 120);
    assert.match(ladderFilter({ width: 1920, height: 1080, fps: 120 }, planLadder(size(1920, 1080))), /^\[0:V:0\]fps=60,split=4/);
  });

  it('refuses a rung name that is not a plain folder name', () => {
    assert.throws(() => hlsArgs({ input: 'x', probe, rungs: [{ name: '../x', shortSide: 360, maxrateKbps: 1, bufsizeKbps: 2 }], threads: 1, segmentSeconds: 4 }));
  });
});

describe('RFC 6381 codec strings', () => {
  it('builds avc1.PPCCLL from the profile and level', () => {
    assert.equal(avcCodecString('High', 31), 'avc1.64001f');
    assert.equal(avcCodecString('High', 40), 'avc1.640028');
    assert.equal(avcCodecString('High', 30), 'avc1.64001e');
    assert.equal(avcCodecString('Main', 31), 'avc1.4d401f');
    assert.equal(avcCodecString('Constrained Baseline', 30), 'avc1.42c01e');
    assert.equal(avcCodecString('Whatever', 30), undefined);
    assert.equal(avcCodecString('High', undefined), undefined);
    assert.equal(audioCodecString('aac', 'LC'), 'mp4a.40.2');
    assert.equal(audioCodecString('aac', 'HE-AAC'), 'mp4a.40.5');
    assert.equal(audioCodecString('opus'), 'opus');
    assert.equal(audioCodecString('pcm_s16le'), undefined);
  });
});

describe('buildMasterPlaylist', () => {
  const rendition = (name: string, width: number, height: number, bandwidth: number): Rendition => ({
    name, width, height, bandwidth, averageBandwidth: Math.round(bandwidth * 0.8), codecs: 'avc1.64001f,mp4a.40.2', frameRate: 29.97,
  });

  it('lists each rendition, lowest first, with its measured attributes', () => {
    const text = buildMasterPlaylist([rendition('720p', 1280, 720, 2_500_000), rendition('360p', 640, 360, 700_000)], (r) => `${r.name}/index.m3u8?t=abc`);
    assert.equal(
      text,
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=700000,AVERAGE-BANDWIDTH=560000,RESOLUTION=640x360,FRAME-RATE=29.970,CODECS="avc1.64001f,mp4a.40.2"',
        '360p/index.m3u8?t=abc',
        '#EXT-X-STREAM-INF:BANDWIDTH=2500000,AVERAGE-BANDWIDTH=2000000,RESOLUTION=1280x720,FRAME-RATE=29.970,CODECS="avc1.64001f,mp4a.40.2"',
        '720p/index.m3u8?t=abc',
        '',
      ].join('\n'),
    );
  });

  it('refuses a URI that would break the playlist', () => {
    assert.throws(() => buildMasterPlaylist([rendition('360p', 640, 360, 1)], () => 'a\n#EXT-X-ENDLIST'));
  });
});

describe('rewritePlaylistUris', () => {
  const sign = (uri: string): string => `${uri}?token=T`;

  it('rewrites URI lines and URI attributes of every tag, and keeps every other byte', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x1234',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English, main",URI="audio/index.m3u8"',
      '#EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"',
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI="iframes.m3u8"',
      '# a comment with URI="not-this"',
      '#EXTINF:4.000000,',
      'seg_000.m4s',
      '',
      '  seg_001.m4s  ',
      '#EXT-X-ENDLIST',
      '',
    ].join('\r\n');
    const out = rewritePlaylistUris(text, sign);
    const lines = out.split('\r\n');
    assert.equal(lines[2], '#EXT-X-KEY:METHOD=AES-128,URI="key.bin?token=T",IV=0x1234');
    assert.equal(lines[3], '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English, main",URI="audio/index.m3u8?token=T"');
    assert.equal(lines[4], '#EXT-X-MAP:URI="init.mp4?token=T",BYTERANGE="720@0"');
    assert.equal(lines[5], '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI="iframes.m3u8?token=T"');
    assert.equal(lines[6], '# a comment with URI="not-this"');
    assert.equal(lines[8], 'seg_000.m4s?token=T');
    assert.equal(lines[10], '  seg_001.m4s?token=T  ');
    assert.equal(rewritePlaylistUris(text, (u) => u), text, 'the identity rewrite changes nothing');
  });

  it('only touches the real URI attribute, not URI= inside another quoted value', () => {
    const line = '#EXT-X-MEDIA:TYPE=AUDIO,NAME="a,URI=",URI="real.m3u8",DEFAULT=YES';
    assert.equal(rewritePlaylistUris(line, sign), '#EXT-X-MEDIA:TYPE=AUDIO,NAME="a,URI=",URI="real.m3u8?token=T",DEFAULT=YES');
  });

  it('refuses a rewritten URI with a quote or a line break', () => {
    assert.throws(() => rewritePlaylistUris('seg.m4s\n', () => 'a"b'));
    assert.throws(() => rewritePlaylistUris('#EXT-X-MAP:URI="i.mp4"\n', () => 'a\nb'));
  });
});

describe('parseMediaPlaylist', () => {
  it('reads the init section and each segment with its duration', () => {
    const parsed = parseMediaPlaylist('#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.000000,\nseg_000.m4s\n#EXTINF:1.5,\nseg_001.m4s\n#EXT-X-ENDLIST\n');
    assert.deepEqual(parsed, { initUri: 'init.mp4', segments: [{ uri: 'seg_000.m4s', durationSeconds: 4 }, { uri: 'seg_001.m4s', durationSeconds: 1.5 }] });
  });
});

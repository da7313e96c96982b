import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaError, type MediaErrorKind } from '../../src/media/media-error.js';
import { frameRate, probeVideo, videoProbeOf } from '../../src/media/video/probe.js';
import { isCI } from '../support/services.js';
import { ffmpegAvailable, generateClip, testBins } from '../support/video-clips.js';

const skip = (await ffmpegAvailable()) ? false : isCI ? false : 'ffmpeg is not installed';
const opts = { ffprobe: testBins.ffprobe };

function mediaErrorOf(kind: MediaErrorKind) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof MediaError, `expected a MediaError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    return true;
  };
}

describe('probeVideo', { skip }, () => {
  it('describes a landscape H.264 + AAC MP4', async () => {
    const p = await probeVideo(await generateClip('landscape'), opts);
    assert.equal(p.width, 1280);
    assert.equal(p.height, 720);
    assert.equal(p.fps, 30);
    assert.ok(Math.abs(p.durationSeconds - 3) < 0.1, `duration ${p.durationSeconds}`);
    assert.equal(p.hasAudio, true);
    assert.equal(p.videoCodec, 'h264');
    assert.equal(p.audioCodec, 'aac');
    assert.ok(p.bitRate > 0);
  });

  it('gives the display size of a clip with a 90° rotation (coded 1280×720, shown 720×1280)', async () => {
    const p = await probeVideo(await generateClip('rotated'), opts);
    assert.deepEqual([p.width, p.height], [720, 1280]);
  });

  it('reads a portrait MOV, a Matroska without audio, a WebM and an AVI', async () => {
    const portrait = await probeVideo(await generateClip('portrait'), opts);
    assert.deepEqual([portrait.width, portrait.height, portrait.hasAudio], [720, 1280, true]);
    const noAudio = await probeVideo(await generateClip('noAudio'), opts);
    assert.deepEqual([noAudio.width, noAudio.height, noAudio.hasAudio, noAudio.audioCodec], [640, 360, false, null]);
    assert.ok(noAudio.durationSeconds > 1.5, 'Matroska has a duration');
    const webm = await probeVideo(await generateClip('webm'), opts);
    assert.deepEqual([webm.videoCodec, webm.audioCodec, webm.fps], ['vp8', 'opus', 15]);
    const avi = await probeVideo(await generateClip('avi'), opts);
    assert.deepEqual([avi.videoCodec, avi.width, avi.height], ['mpeg4', 320, 240]);
  });

  it('reads the duration of a long clip without decoding it', async () => {
    const started = performance.now();
    const p = await probeVideo(await generateClip('long'), opts);
    assert.ok(Math.abs(p.durationSeconds - 1860) < 2, `duration ${p.durationSeconds}`);
    assert.ok(performance.now() - started < 10_000);
  });

  it('refuses files without a video stream as unsupported (audio with cover art, audio in MP4)', async () => {
    await assert.rejects(probeVideo(await generateClip('nonVideo'), opts), mediaErrorOf('unsupported'));
    await assert.rejects(probeVideo(await generateClip('audioOnlyMp4'), opts), (err: unknown) => {
      assert.ok(err instanceof MediaError && err.kind === 'unsupported');
      assert.equal(err.message, 'the file has no video stream');
      return true;
    });
  });

  it('refuses an undecodable file as corrupt, with a short reason and no server path', async () => {
    const file = await generateClip('corrupt');
    await assert.rejects(probeVideo(file, opts), (err: unknown) => {
      assert.ok(err instanceof MediaError && err.kind === 'corrupt', String(err));
      assert.match(err.message, /moov atom not found|Invalid data/);
      assert.ok(!err.message.includes('/tmp/') && !err.message.includes('file:/') && !err.message.includes(' @ 0x'), err.message);
      assert.ok(err.message.length < 400);
      return true;
    });
  });

  it('refuses what ffmpeg would open with a demuxer other than a video container (a PNG named .mp4)', async () => {
    await assert.rejects(probeVideo(await generateClip('liarExt'), opts), mediaErrorOf('unsupported'));
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(probeVideo(await generateClip('landscape'), { ...opts, signal: ac.signal }), { name: 'AbortError' });
  });
});

describe('videoProbeOf (ffprobe JSON)', () => {
  const stream = { codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, avg_frame_rate: '30000/1001' };

  it('swaps width and height for ±90° and 270° (display matrix or rotate tag), not for 180°', () => {
    const sized = (extra: object) => {
      const p = videoProbeOf({ streams: [{ ...stream, ...extra }], format: { duration: '10.5' } });
      return [p.width, p.height];
    };
    assert.deepEqual(sized({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }), [1080, 1920]);
    assert.deepEqual(sized({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] }), [1080, 1920]);
    assert.deepEqual(sized({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 180 }] }), [1920, 1080]);
    assert.deepEqual(sized({ tags: { rotate: '270' } }), [1080, 1920]);
    assert.deepEqual(sized({}), [1920, 1080]);
  });

  it('takes the duration from the format, else the stream, else a Matroska DURATION tag', () => {
    assert.equal(videoProbeOf({ streams: [stream], format: { duration: '12.5' } }).durationSeconds, 12.5);
    assert.equal(videoProbeOf({ streams: [{ ...stream, duration: '7.25' }], format: {} }).durationSeconds, 7.25);
    assert.equal(videoProbeOf({ streams: [{ ...stream, tags: { DURATION: '00:01:02.500000000' } }] }).durationSeconds, 62.5);
    assert.equal(videoProbeOf({ streams: [stream] }).durationSeconds, 0);
  });

  it('does not count cover art as a video stream', () => {
    const cover = { codec_type: 'video', codec_name: 'mjpeg', width: 500, height: 500, disposition: { attached_pic: 1 } };
    assert.throws(() => videoProbeOf({ streams: [{ codec_type: 'audio', codec_name: 'mp3' }, cover] }), mediaErrorOf('unsupported'));
    const p = videoProbeOf({ streams: [cover, stream, { codec_type: 'audio', codec_name: 'aac' }] });
    assert.deepEqual([p.width, p.videoCodec, p.audioCodec], [1920, 'h264', 'aac']);
  });

  it('refuses a video stream without a size as corrupt', () => {
    assert.throws(() => videoProbeOf({ streams: [{ codec_type: 'video', codec_name: 'h264' }] }), mediaErrorOf('corrupt'));
  });

  it('reads frame rates', () => {
    assert.ok(Math.abs(frameRate('30000/1001') - 29.97) < 0.01);
    assert.equal(frameRate('25/1'), 25);
    assert.equal(frameRate('0/0'), 0);
    assert.equal(frameRate(undefined), 0);
    assert.equal(videoProbeOf({ streams: [{ ...stream, avg_frame_rate: '0/0', r_frame_rate: '24/1' }] }).fps, 24);
    assert.equal(videoProbeOf({ streams: [{ ...stream, avg_frame_rate: '0/0', r_frame_rate: '90000/1' }] }).fps, 0);
  });
});

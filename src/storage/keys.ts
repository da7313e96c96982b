// The only place storage keys are built. Keys are made of ids we generated, never of user text.
const SAFE = /^[A-Za-z0-9_-]{1,64}$/;

/** A file name made by our own transcode: seg_000.m4s, init.mp4, index.m3u8. */
const FILE = /^[A-Za-z0-9_-]{1,64}\.[a-z0-9]{1,8}$/;

function file(value: string): string {
  if (!FILE.test(value)) throw new Error('unsafe file name for a storage key');
  return value;
}

function part(value: string, what: string): string {
  if (!SAFE.test(value)) throw new Error(`unsafe ${what} for a storage key`);
  return value;
}

export const storageKeys = {
  /** The original bytes of an image. */
  imageOriginal: (userId: string, imageId: string) => `images/${part(userId, 'user id')}/${part(imageId, 'image id')}/original`,
  /** A rendered variant, named by a hash of its canonical parameters. */
  imageVariant: (userId: string, imageId: string, variantHash: string) =>
    `images/${part(userId, 'user id')}/${part(imageId, 'image id')}/variants/${part(variantHash, 'variant hash')}`,
  /** Every object of one image (original and variants). */
  imagePrefix: (userId: string, imageId: string) => `images/${part(userId, 'user id')}/${part(imageId, 'image id')}/`,
  /** Where an upload lands while it streams, before it is committed. */
  uploadTemp: (uploadId: string) => `tmp/uploads/${part(uploadId, 'upload id')}`,
  /** A resumable (tus) upload's bytes on S3 while it arrives (its `.info` and `.part` objects sit next to it). */
  tusUpload: (uploadId: string) => `tmp/tus/${part(uploadId, 'upload id')}`,
  /** Every image object of one account. */
  userPrefix: (userId: string) => `images/${part(userId, 'user id')}/`,
  /** Every video object of one account. */
  userVideosPrefix: (userId: string) => `videos/${part(userId, 'user id')}/`,
  /** The original bytes of a video, as uploaded. */
  videoOriginal: (userId: string, videoId: string) => `videos/${part(userId, 'user id')}/${part(videoId, 'video id')}/original`,
  /** Every object of one video (original, ladder, poster). */
  videoPrefix: (userId: string, videoId: string) => `videos/${part(userId, 'user id')}/${part(videoId, 'video id')}/`,
  /** The HLS ladder of a video: `<prefix><rung>/<file>`; a transcode replaces all of it. */
  videoHlsPrefix: (userId: string, videoId: string) => `videos/${part(userId, 'user id')}/${part(videoId, 'video id')}/hls/`,
  /** One file of the ladder: rung and file names come from the transcode, never from a request. */
  videoHlsFile: (userId: string, videoId: string, rung: string, name: string) =>
    `videos/${part(userId, 'user id')}/${part(videoId, 'video id')}/hls/${part(rung, 'rung')}/${file(name)}`,
  /** A user's avatar (re-encoded square WebP); replaced in place by a new upload. Not an image of the library. */
  userAvatar: (userId: string) => `avatars/${part(userId, 'user id')}/avatar`,
  /** Every audio object of one account. */
  userAudioPrefix: (userId: string) => `audio/${part(userId, 'user id')}/`,
  /** The original bytes of an audio file, as uploaded. */
  audioOriginal: (userId: string, audioId: string) => `audio/${part(userId, 'user id')}/${part(audioId, 'audio id')}/original`,
  /** The cover of an audio file: its embedded picture, re-encoded as JPEG (none: the format's default cover is served). */
  audioCover: (userId: string, audioId: string) => `audio/${part(userId, 'user id')}/${part(audioId, 'audio id')}/cover`,
  /** Every object of one audio file (original and cover). */
  audioPrefix: (userId: string, audioId: string) => `audio/${part(userId, 'user id')}/${part(audioId, 'audio id')}/`,
  /** The poster (JPEG): extracted by the transcode or the owner's own. */
  videoPoster: (userId: string, videoId: string) => `videos/${part(userId, 'user id')}/${part(videoId, 'video id')}/poster`,
};

// Sharing a ready video: its playback URL (the HLS master playlist) and an embed snippet. There is no hosted
// embed page to put in an <iframe>, so the snippet is a <video> element plus hls.js for browsers that do
// not play HLS themselves; Safari needs only the <video src>.
import { useId } from 'react';
import type { Video } from '../../api/types';
import { CopyButton, CopyField } from '../../components/ui';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
/** The hls.js release the dashboard itself plays with (package.json pins it). */
const HLS_VERSION = '1.7.4';

export function embedSnippet(video: Pick<Video, 'id' | 'title' | 'width' | 'height' | 'thumbnailUrl'>, url: string): string {
  const el = `picora-${video.id}`;
  const size = video.width && video.height ? ` width="${video.width}" height="${video.height}"` : '';
  const poster = video.thumbnailUrl ? ` poster="${escapeHtml(video.thumbnailUrl)}"` : '';
  return [
    `<video id="${el}" controls playsinline preload="metadata"${size}${poster} title="${escapeHtml(video.title)}"></video>`,
    `<!-- hls.js ${HLS_VERSION} (npm package "hls.js", file dist/hls.min.js): serve it from your own site -->`,
    `<script src="/js/hls.min.js"></script>`,
    '<script>',
    '  (function () {',
    `    var video = document.getElementById(${JSON.stringify(el)});`,
    `    var src = ${JSON.stringify(url)};`,
    "    if (video.canPlayType('application/vnd.apple.mpegurl')) video.src = src; // built-in HLS (Safari, iOS)",
    '    else if (window.Hls && Hls.isSupported()) { var hls = new Hls(); hls.loadSource(src); hls.attachMedia(video); }',
    '  })();',
    '</script>',
  ].join('\n');
}

export function CopyBlock({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const id = useId();
  return (
    <div className="copy-field">
      <div className="row between gap-s">
        <label htmlFor={id}>{label}</label>
        <CopyButton text={value} />
      </div>
      <textarea id={id} readOnly value={value} rows={Math.min(12, value.split('\n').length)} className="mono code-block" onFocus={(e) => e.currentTarget.select()} />
      {hint && <small className="muted">{hint}</small>}
    </div>
  );
}

export function VideoShare({ video }: { video: Video }) {
  if (!video.playbackUrl) return null;
  return (
    <section className="card" aria-labelledby="video-share-h">
      <h2 id="video-share-h">Share</h2>
      {!video.isPublic && (
        <p className="notice">
          This video is private: the playback URL below carries a token that expires in a few hours. To share it, create a signed link
          with the lifetime you choose.
        </p>
      )}
      <CopyField label="Playback URL (HLS)" value={video.playbackUrl} />
      <CopyBlock
        label="Embed code"
        value={embedSnippet(video, video.playbackUrl)}
        hint="Paste it into any page. Browsers with built-in HLS (Safari, iOS, recent Chrome) play the stream with the <video> alone; the others need hls.js, which the snippet expects at /js/hls.min.js on your site."
      />
    </section>
  );
}

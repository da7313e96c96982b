// The player: a <video> fed the HLS master playlist. Browsers that play HLS themselves (Safari, iOS, recent
// Chromium) get it as the source; the others get hls.js (Media Source Extensions), loaded only here, as its
// own chunk, so the dashboard's first page stays small. hls.js' light build: our streams are fMP4 with muxed
// audio and no subtitles or DRM.
import { useEffect, useRef, useState } from 'react';
import type { ErrorData } from 'hls.js';

type Engine = 'native' | 'hls.js';
type Props = { src: string; poster: string | null; title: string; width: number | null; height: number | null };

export const HLS_TYPE = 'application/vnd.apple.mpegurl';

/** What to tell a person when the stream fails: by the HTTP status where there is one. */
function describe(status: number | undefined): string {
  if (status === 401 || status === 403) return 'The playback link has expired or is not valid any more: reload the page.';
  if (status === 451) return 'Video playback is paused: this month’s video bandwidth is far over your plan.';
  if (status === 404) return 'The stream was not found: the video may have been deleted.';
  return 'The video could not be played. Check your connection, then reload the page.';
}

/** The stream a URL names: a fresh token for the same playlist (each read of a private video signs anew)
 * is the same stream, so re-reading the video does not restart playback. */
const streamOf = (url: string) => url.replace(/([?&]token=)[^&]*/, '$1');

export function VideoPlayer({ src, poster, title, width, height }: Props) {
  const ref = useRef<HTMLVideoElement>(null);
  const latest = useRef(src);
  latest.current = src;
  const stream = streamOf(src);
  const [engine, setEngine] = useState<Engine | null>(null);
  const [problem, setProblem] = useState('');

  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    let live = true;
    let destroy = () => {};
    const src = latest.current;
    setProblem('');

    if (video.canPlayType(HLS_TYPE)) {
      setEngine('native');
      video.src = src;
    } else {
      import('hls.js/light').then(
        ({ default: Hls }) => {
          if (!live) return;
          if (!Hls.isSupported()) return setProblem('This browser cannot play streaming video (it lacks Media Source Extensions).');
          // No worker: fMP4 needs no transmuxing, and the dashboard's CSP allows no blob: workers.
          const hls = new Hls({ enableWorker: false, capLevelToPlayerSize: true });
          let recovered = false;
          hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
            if (!data.fatal) return;
            if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
              recovered = true; // a decode hiccup: hls.js can rebuild the media pipeline once
              hls.recoverMediaError();
              return;
            }
            setProblem(describe(data.response?.code));
            hls.destroy();
          });
          hls.loadSource(src);
          hls.attachMedia(video);
          setEngine('hls.js');
          destroy = () => hls.destroy();
        },
        () => live && setProblem('The player could not be loaded: check your connection, then reload the page.'),
      );
    }
    return () => {
      live = false;
      destroy();
      video.removeAttribute('src');
      video.load();
    };
  }, [stream]);

  return (
    <div className="player" style={{ aspectRatio: width && height ? `${width} / ${height}` : '16 / 9' }}>
      <video
        ref={ref}
        controls
        playsInline
        preload="metadata"
        poster={poster ?? undefined}
        aria-label={`Video: ${title}`}
        data-engine={engine ?? undefined}
        data-testid="player"
        onError={() => engine && setProblem(describe(undefined))}
        onPlaying={() => setProblem('')}
      />
      {problem && <p className="player-problem" role="alert">{problem}</p>}
    </div>
  );
}

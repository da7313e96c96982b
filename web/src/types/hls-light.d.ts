// hls.js ships declarations for its full build only. The light build (hls.js/light) has the same API less
// subtitles, alternate audio, DRM and CMCD, none of which the dashboard uses, so it is typed as the full one.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}

#!/usr/bin/env bash
# Installs what Picora needs when it is missing: the npm dependencies (when missing or older than the lockfile),
# then ffmpeg/ffprobe for video. Idempotent and quiet when everything is there.
# Without ffmpeg the server still starts; video uploads are then refused with a clear error.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "picora: installing npm dependencies (npm ci)…"
  npm ci --no-audit --no-fund
fi

# ffmpeg: the binaries configured (PICORA_FFMPEG_PATH / PICORA_FFPROBE_PATH), else the ones on PATH.
ffmpeg_bin="${PICORA_FFMPEG_PATH:-ffmpeg}"
ffprobe_bin="${PICORA_FFPROBE_PATH:-ffprobe}"
have() { command -v "$1" >/dev/null 2>&1; }
if ! have "$ffmpeg_bin" || ! have "$ffprobe_bin"; then
  if [ "$(id -u)" = "0" ] && have apt-get && [ -z "${PICORA_FFMPEG_PATH:-}${PICORA_FFPROBE_PATH:-}" ]; then
    echo "picora: installing ffmpeg for video (apt-get install ffmpeg)…"
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null; then
      echo "picora: ffmpeg installed: $(ffmpeg -hide_banner -version | head -n 1)"
    else
      echo "picora: could not install ffmpeg; video uploads will be refused until it is installed" >&2
    fi
  else
    echo "picora: ffmpeg/ffprobe not found (${ffmpeg_bin}, ${ffprobe_bin}): video features need them." >&2
    echo "picora:   install Debian's package (sudo apt-get install ffmpeg) or set PICORA_FFMPEG_PATH and PICORA_FFPROBE_PATH." >&2
    echo "picora:   the server still starts; video uploads are refused with a clear error until then." >&2
  fi
fi

#!/usr/bin/env bash
# Picora's local S3 server: a single-node Ceph radosgw (the real S3 API) on 127.0.0.1:7480.
# Data lives in RAM (memstore) under a temporary folder in /tmp; nothing is kept across restarts.
#
# Usage: bash scripts/s3.sh start|stop|status
#   start   idempotent: does nothing if something already answers on the port with HTTP 200/403
#   stop    stops the daemons this script started (pid files) and removes their folder
#   status  says whether the endpoint answers
# Env: S3_PORT (7480), S3_MON_PORT (40579), S3_ACCESS_KEY (TESTKEY), S3_SECRET_KEY (TESTSECRET),
#      S3_STATE_FILE (/tmp/picora-s3.dir: remembers the folder of the running cluster).
# Client settings: forcePathStyle true, region us-east-1, requestChecksumCalculation and
#   responseChecksumValidation 'WHEN_REQUIRED' (radosgw answers 411 otherwise).
set -euo pipefail

PORT=${S3_PORT:-7480}
MON_PORT=${S3_MON_PORT:-40579}
ACCESS_KEY=${S3_ACCESS_KEY:-TESTKEY}
SECRET_KEY=${S3_SECRET_KEY:-TESTSECRET}
STATE_FILE=${S3_STATE_FILE:-/tmp/picora-s3.dir}
ENDPOINT="http://127.0.0.1:$PORT"
WAIT_SECONDS=120
PACKAGES=(ceph-mon ceph-osd radosgw ceph-common)

say() { printf 's3.sh: %s\n' "$*"; }
http_code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$ENDPOINT/" 2>/dev/null || true; }
answers() { local code; code=$(http_code); [ "$code" = 200 ] || [ "$code" = 403 ]; }

log_tail() {
  local dir=$1 f
  for f in "$dir"/log/*.log; do
    [ -f "$f" ] || continue
    printf '\n--- %s (last 30 lines) ---\n' "$f" >&2
    tail -n 30 "$f" >&2
  done
}

install_packages() {
  command -v radosgw >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ]; then
    say "radosgw is not installed. As root, run:" >&2
    say "  apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
    exit 1
  fi
  say "installing ${PACKAGES[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PACKAGES[@]}"
}

write_conf() {
  local dir=$1 fsid=$2
  printf '%s\n' \
    '[global]' "fsid = $fsid" "mon host = v2:127.0.0.1:$MON_PORT" 'mon initial members = a' \
    'public addr = 127.0.0.1' 'cluster addr = 127.0.0.1' 'public network = 127.0.0.0/8' 'ms bind ipv6 = false' \
    'auth cluster required = none' 'auth service required = none' 'auth client required = none' \
    'osd pool default size = 1' 'osd pool default min size = 1' 'osd pool default pg num = 8' \
    'osd pool default pgp num = 8' 'osd pool default pg autoscale mode = off' 'mon allow pool size one = true' \
    'mon warn on pool no redundancy = false' 'osd crush chooseleaf type = 0' 'mon max pg per osd = 1000' \
    'mon cluster log to file = false' \
    "run dir = $dir/run" "log file = $dir/log/\$name.log" "admin socket = $dir/run/\$name.asok" \
    "pid file = $dir/run/\$name.pid" \
    '[mon.a]' "mon data = $dir/mon.a" \
    '[osd.0]' "osd data = $dir/osd.0" 'osd objectstore = memstore' 'memstore device bytes = 4294967296' \
    'osd max object name len = 460' 'osd max object namespace len = 64' \
    '[client.rgw.a]' 'ms mon client mode = crc' 'auth client required = none' 'keyring = /dev/null' \
    "rgw frontends = beast endpoint=127.0.0.1:$PORT" "rgw data = $dir/rgw" 'rgw dns name = localhost' \
    > "$dir/ceph.conf"
}

start() {
  if answers; then
    say "something already answers on $ENDPOINT (HTTP $(http_code)); nothing to do"
    return 0
  fi
  install_packages
  # A cluster we started earlier that no longer answers: clear it away first.
  [ -f "$STATE_FILE" ] && stop_daemons quiet

  local dir fsid cf i
  dir=$(mktemp -d /tmp/picora-s3.XXXXXX)
  mkdir -p "$dir"/{mon.a,osd.0,rgw,run,log}
  echo "$dir" > "$STATE_FILE"
  trap 'say "start failed; logs follow" >&2; log_tail "$dir"' ERR
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$dir" "$fsid"
  cf=(-c "$dir/ceph.conf")

  say "starting mon, osd and radosgw in $dir"
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$dir/monmap" >/dev/null
  ceph-mon "${cf[@]}" --mkfs -i a --monmap "$dir/monmap"
  ceph-mon "${cf[@]}" -i a
  timeout 60 ceph "${cf[@]}" osd create >/dev/null
  ceph-osd "${cf[@]}" -i 0 --mkfs 2>/dev/null
  timeout 30 ceph "${cf[@]}" osd crush add-bucket localhost host >/dev/null 2>&1
  timeout 30 ceph "${cf[@]}" osd crush move localhost root=default >/dev/null 2>&1
  timeout 30 ceph "${cf[@]}" osd crush add osd.0 1.0 host=localhost >/dev/null 2>&1
  ceph-osd "${cf[@]}" -i 0 2>/dev/null
  radosgw "${cf[@]}" -n client.rgw.a

  for ((i = 0; i < WAIT_SECONDS; i++)); do
    answers && break
    sleep 1
  done
  if ! answers; then
    trap - ERR
    say "radosgw did not answer on $ENDPOINT within ${WAIT_SECONDS}s" >&2
    log_tail "$dir"
    exit 1
  fi
  timeout 60 radosgw-admin "${cf[@]}" user create --uid=picora-test --display-name=picora-test \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  trap - ERR
  say "S3 ready at $ENDPOINT (path-style, access key $ACCESS_KEY); data in $dir"
}

# Kills the daemons recorded in the state folder, newest first, and removes the folder.
stop_daemons() {
  local quiet=${1:-} dir name pid i
  dir=$(cat "$STATE_FILE" 2>/dev/null || true)
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    [ -n "$quiet" ] || say "no cluster started by this script is recorded ($STATE_FILE)"
    rm -f "$STATE_FILE"
    return 0
  fi
  for name in client.rgw.a osd.0 mon.a; do
    pid=$(cat "$dir/run/$name.pid" 2>/dev/null || true)
    [ -n "$pid" ] || continue
    if kill "$pid" 2>/dev/null; then
      for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
      [ -n "$quiet" ] || say "stopped $name (pid $pid)"
    fi
  done
  case "$dir" in /tmp/picora-s3.*) rm -rf "$dir" ;; esac
  rm -f "$STATE_FILE"
}

status() {
  local code dir
  code=$(http_code)
  dir=$(cat "$STATE_FILE" 2>/dev/null || true)
  if [ "$code" = 200 ] || [ "$code" = 403 ]; then
    say "answering on $ENDPOINT (HTTP $code)${dir:+; started by this script, data in $dir}"
  else
    say "not answering on $ENDPOINT${dir:+ (a cluster is recorded in $dir)}"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop_daemons ;;
  status) status ;;
  *) echo "usage: bash scripts/s3.sh start|stop|status" >&2; exit 2 ;;
esac

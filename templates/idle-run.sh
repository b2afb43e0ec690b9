#!/bin/bash
# idle_timeout: runs start-dask.sh and ends this node's Dask for good when the cluster is idle. It exits 75 then, and
# the unit (cloudlaunch-idle.conf) neither restarts it nor keeps the VM on: idle-poweroff.sh powers it off.
#  scheduler: Dask's own idle timeout (distributed.scheduler.idle-timeout) closes it after that long with no tasks
#             and no clients; it then exits 0, which — unless we were asked to stop — means idle.
#  worker:    powers off once its scheduler has been unreachable for CLOUDLAUNCH_SCHEDULER_GONE_SECONDS.
# Usage: idle-run.sh [CONFIG_DIR]
set -euo pipefail
conf_dir=${1:-/etc/cloudlaunch}
# shellcheck source=/dev/null
source "$conf_dir/cloudlaunch.env"
here=$(cd "$(dirname "$0")" && pwd)
idle_exit=75
child=
stopping=0
on_term() {
  stopping=1
  [[ -n $child ]] && kill -TERM "$child" 2>/dev/null
}
trap on_term TERM INT

start() {
  "$here/start-dask.sh" "$conf_dir" &
  child=$!
}

# Waits for the child; a trapped signal interrupts `wait`, so wait again until it has really exited.
reap() {
  local status=0
  while kill -0 "$child" 2>/dev/null; do
    wait "$child" || status=$?
  done
  wait "$child" 2>/dev/null || status=$?
  return "$status"
}

if [[ $CLOUDLAUNCH_ROLE == scheduler ]]; then
  export DASK_DISTRIBUTED__SCHEDULER__IDLE_TIMEOUT="${CLOUDLAUNCH_IDLE_TIMEOUT_SECONDS}s"
  start
  status=0
  reap || status=$?
  if [[ $stopping == 0 && $status == 0 ]]; then
    echo "cloudlaunch: the scheduler was idle for ${CLOUDLAUNCH_IDLE_TIMEOUT_SECONDS}s (idle_timeout); this node powers off"
    exit "$idle_exit"
  fi
  exit "$status"
fi

# Worker: the scheduler's host and port from tls://HOST:PORT or tcp://HOST:PORT.
address=${DASK_SCHEDULER_ADDRESS#*://}
host=${address%:*}
port=${address##*:}
probe_every=${CLOUDLAUNCH_IDLE_PROBE_SECONDS:-15}
gone_after=${CLOUDLAUNCH_SCHEDULER_GONE_SECONDS:-600}
reachable() { timeout 5 bash -c ": >/dev/tcp/$host/$port" 2>/dev/null; }

last_seen=$(date +%s)
start
while [[ $stopping == 0 ]]; do
  sleep "$probe_every" &
  wait $! || true
  [[ $stopping == 1 ]] && break
  if reachable; then
    last_seen=$(date +%s)
  elif (($(date +%s) - last_seen >= gone_after)); then
    echo "cloudlaunch: the scheduler $host:$port has been unreachable for ${gone_after}s (idle_timeout); this node powers off"
    kill -TERM "$child" 2>/dev/null || true
    reap || true
    exit "$idle_exit"
  fi
  # A worker the scheduler closed exits; while the scheduler may come back, run it again.
  if ! kill -0 "$child" 2>/dev/null; then
    reap || true
    start
  fi
done
reap || exit $?

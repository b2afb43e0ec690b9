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

# Worker: the scheduler's host and port from tls://HOST:PORT, tcp://HOST:PORT or tls://[IPv6]:PORT.
address=${DASK_SCHEDULER_ADDRESS#*://}
host=${address%:*}
host=${host#[}
host=${host%]}
port=${address##*:}
probe_every=${CLOUDLAUNCH_IDLE_PROBE_SECONDS:-15}
gone_after=${CLOUDLAUNCH_SCHEDULER_GONE_SECONDS:-600}
# ss takes an IPv6 address in brackets.
[[ $host == *:* ]] && ss_host="[$host]" || ss_host=$host
# A connection this node already holds to the scheduler (the worker's) answers without a packet. Only without one is
# the port tried: the scheduler logs every connection that closes before Dask's handshake ("closed before handshake
# completed"), so probing all the time would add a line per worker every probe interval.
connected() { [[ -n $(ss -Htn state established dst "$ss_host" dport = ":$port" 2>/dev/null) ]]; }
# shellcheck disable=SC2016 # $0 and $1 are the inner shell's: the address is data, never code.
reachable() { connected || (timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port") 2>/dev/null; }

last_seen=$(date +%s)
start
while [[ $stopping == 0 ]]; do
  sleep "$probe_every" &
  wait $! || true
  [[ $stopping == 1 ]] && break
  if reachable; then
    last_seen=$(date +%s)
  elif (($(date +%s) - last_seen >= gone_after)); then
    echo "cloudlaunch: the scheduler $address has been unreachable for ${gone_after}s (idle_timeout); this node powers off"
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

# shellcheck shell=bash
# Shared by the bootstrap scripts. runcmd's stdout reaches the serial console (cloud-final.service:
# StandardOutput=journal+console), which `cloudlaunch logs` reads: one "cloudlaunch:" line per step.
say() { echo "cloudlaunch: $*"; }
CLOUDLAUNCH_STEP=starting
CLOUDLAUNCH_FAILURE=
step() {
  CLOUDLAUNCH_STEP=$1 CLOUDLAUNCH_FAILURE=
  say "$1"
}
# trap report_failure EXIT. A script whose child already reported sets CLOUDLAUNCH_REPORTED=1.
report_failure() {
  local s=$?
  ((s == 0)) || [[ -n ${CLOUDLAUNCH_REPORTED:-} ]] || say "bootstrap failed at $CLOUDLAUNCH_STEP: ${CLOUDLAUNCH_FAILURE:-exit status $s}"
  return $s
}
# Network steps fail transiently on a fresh VM: CLOUDLAUNCH_RETRIES attempts, delays doubling up to 60 s.
retry() {
  local n=1 s d=${CLOUDLAUNCH_RETRY_DELAY_S:-5}
  until "$@"; do
    s=$?
    if ((n >= ${CLOUDLAUNCH_RETRIES:-5})); then
      local what="${1##*/} ${*:2}"
      CLOUDLAUNCH_FAILURE="${what:0:100} exited $s after $n attempts"
      return $s
    fi
    say "$CLOUDLAUNCH_STEP: attempt $n failed (exit $s), retrying in ${d}s"
    sleep "$d"
    n=$((n + 1)) d=$((d * 2 > 60 ? 60 : d * 2))
  done
}
# apt/dpkg hold fcntl locks; at first boot cloud-init, apt-daily or unattended-upgrades may hold them for minutes.
dpkg_free() {
  local l
  read -r -a l <<<"${CLOUDLAUNCH_DPKG_LOCKS:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock}"
  python3 -c 'import fcntl,sys
for p in sys.argv[1:]:
  try: fcntl.lockf(open(p,"a"),fcntl.LOCK_EX|fcntl.LOCK_NB)
  except FileNotFoundError: pass
  except OSError: sys.exit(1)' "${l[@]}"
}
wait_for_dpkg_lock() {
  local t=0
  dpkg_free && return
  say "waiting for the dpkg lock"
  until dpkg_free; do
    ((t < ${CLOUDLAUNCH_DPKG_LOCK_TIMEOUT_S:-900})) || { CLOUDLAUNCH_FAILURE="dpkg lock held for ${t}s" && return 1; }
    sleep 2
    t=$((t + 2))
  done
  say "the dpkg lock is free"
}
apt_install() {
  wait_for_dpkg_lock
  # apt waits itself if the lock is taken again after the check.
  retry apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive retry apt-get -o DPkg::Lock::Timeout=600 install -y -q "$@"
}
# Workers boot alongside their scheduler: wait_for_scheduler tls://HOST:PORT waits (saying so once) until it answers.
# Bounded: a scheduler replaced meanwhile has a new address, which the service reads again when systemd restarts it.
wait_for_scheduler() {
  local hp=${1#*://} said='' until=$((SECONDS + ${CLOUDLAUNCH_SCHEDULER_WAIT_S:-600}))
  local h=${hp%:*}
  h=${h#[} h=${h%]}
  until (exec 3<>"/dev/tcp/$h/${hp##*:}") 2>/dev/null; do
    [[ -n $said ]] || say "waiting for the scheduler at $hp"
    said=1
    if ((SECONDS >= until)); then
      say "no scheduler at $hp; exiting so the service restarts with the current address"
      return 1
    fi
    sleep "${CLOUDLAUNCH_SCHEDULER_POLL_S:-5}"
  done
  [[ -z $said ]] || say "the scheduler at $hp answers"
}

#!/bin/bash
# First boot only (cloud-init runcmd): arm the lifetime timer, install Dask, hand the TLS files to the service user,
# then start Dask as a systemd service (back after a reboot or stop/start). A failed step is reported on the console
# and, with dask.shutdown_on_bootstrap_failure, powers the node off after a grace period. Usage: bootstrap.sh [CONF]
set -euo pipefail
conf_dir=${1:-/etc/cloudlaunch}
scripts=$(dirname "$0")
# shellcheck source=/dev/null
source "$conf_dir/cloudlaunch.env"
# shellcheck source=/dev/null
source "$scripts/lib.sh"

on_exit() {
  local status=$?
  report_failure || true
  if ((status != 0)) && [[ -n $CLOUDLAUNCH_SHUTDOWN_ON_FAILURE_MINUTES ]]; then
    say "powering off in $CLOUDLAUNCH_SHUTDOWN_ON_FAILURE_MINUTES minutes (shutdown -c cancels)"
    shutdown -h "+$CLOUDLAUNCH_SHUTDOWN_ON_FAILURE_MINUTES" "cloudlaunch: bootstrap failed at $CLOUDLAUNCH_STEP" || true
  fi
  exit "$status"
}
trap on_exit EXIT

# Armed first, so a node whose setup fails still shuts itself down.
if [[ -n $CLOUDLAUNCH_MAX_LIFETIME_MINUTES ]]; then
  step "arming max_lifetime ($CLOUDLAUNCH_MAX_LIFETIME_MINUTES minutes)"
  "$scripts/arm-lifetime.sh" /etc/systemd/system "$CLOUDLAUNCH_MAX_LIFETIME_MINUTES"
  systemctl daemon-reload
  systemctl enable --now cloudlaunch-lifetime.timer
fi

CLOUDLAUNCH_STEP="setting up dask"
# setup-dask.sh reports its own failing step.
"$scripts/setup-dask.sh" "$conf_dir" || {
  export CLOUDLAUNCH_REPORTED=1
  exit 1
}

step "creating the dask user"
if ! id dask >/dev/null 2>&1; then
  useradd --system --create-home --home-dir /var/lib/cloudlaunch --shell /usr/sbin/nologin dask
fi
if [[ -d $conf_dir/tls ]]; then
  chown -R dask:dask "$conf_dir/tls"
  chmod 0700 "$conf_dir/tls"
fi

step "starting dask $CLOUDLAUNCH_ROLE"
systemctl daemon-reload
systemctl enable --now cloudlaunch-dask.service
say "dask $CLOUDLAUNCH_ROLE started"

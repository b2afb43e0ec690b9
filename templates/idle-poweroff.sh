#!/bin/bash
# ExecStopPost of cloudlaunch-dask.service under idle_timeout, run as root: ends the node when idle-run.sh ended with
# its idle status (75). systemd passes the main process's exit status as EXIT_STATUS. Usage: idle-poweroff.sh [CONF]
# AWS: a guest power-off terminates the VM (the driver sets InstanceInitiatedShutdownBehavior=terminate).
# GCP: a guest power-off only stops it, so the node deletes itself (gcp-delete-self.sh) and powers off only if that
#      fails (stopped: its disk stays billed until `cloudlaunch terminate`).
# Azure: the VM stays allocated (and billed) until `cloudlaunch stop` deallocates it.
set -euo pipefail
conf_dir=${1:-/etc/cloudlaunch}
[[ ${EXIT_STATUS:-} == 75 ]] || exit 0
# shellcheck source=/dev/null
source "$conf_dir/cloudlaunch.env"
here=$(cd "$(dirname "$0")" && pwd)
if [[ $CLOUDLAUNCH_PROVIDER == gcp ]]; then
  if "$here/gcp-delete-self.sh"; then
    # Compute Engine shuts the guest down as it deletes it. Should that not happen, power off in 10 minutes.
    echo "cloudlaunch: idle_timeout reached; this instance is being deleted"
    shutdown -P +10 "cloudlaunch: the deletion asked for by idle_timeout has not taken this node down"
    exit 0
  fi
  echo "cloudlaunch: idle_timeout reached but this instance could not delete itself; powering off (stopped, disk billed)"
else
  echo "cloudlaunch: idle_timeout reached; powering off"
fi
systemctl poweroff

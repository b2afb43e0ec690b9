#!/bin/bash
# ExecStopPost of cloudlaunch-dask.service under idle_timeout, run as root: powers the node off when idle-run.sh
# ended with its idle status (75). systemd passes the main process's exit status as EXIT_STATUS.
# Where the driver allows it a guest power-off terminates the VM (EC2 InstanceInitiatedShutdownBehavior=terminate).
set -euo pipefail
if [[ ${EXIT_STATUS:-} == 75 ]]; then
  echo "cloudlaunch: idle_timeout reached; powering off"
  systemctl poweroff
fi

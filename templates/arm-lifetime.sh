#!/bin/bash
# Writes the systemd timer that powers this node off MINUTES from now. Usage: arm-lifetime.sh UNIT_DIR MINUTES
# OnCalendar is absolute and Persistent=true: after a stop/start past the deadline the timer fires at boot, so
# stopping a node does not extend its lifetime.
set -euo pipefail
unit_dir=$1
minutes=$2
if [[ ! $minutes =~ ^[0-9]+$ ]]; then
  echo "arm-lifetime: minutes must be a whole number, got '$minutes'" >&2
  exit 2
fi
deadline=$(date -u -d "+$minutes minutes" '+%Y-%m-%d %H:%M:%S UTC')
cat >"$unit_dir/cloudlaunch-lifetime.timer" <<TIMER
[Unit]
Description=End of the cloudlaunch max_lifetime

[Timer]
OnCalendar=$deadline
Persistent=true

[Install]
WantedBy=timers.target
TIMER
echo "cloudlaunch: this node shuts down at $deadline"

#!/bin/bash
# First boot only (cloud-init runcmd): arm the lifetime timer, install Dask, hand the TLS files to the service user,
# then start Dask as a systemd service so it comes back after a reboot or a stop/start of the VM.
set -euo pipefail
conf_dir=/etc/cloudlaunch
# shellcheck source=/dev/null
source "$conf_dir/cloudlaunch.env"

# Armed first, so a node whose setup fails still shuts itself down.
if [[ -n $CLOUDLAUNCH_MAX_LIFETIME_MINUTES ]]; then
  /opt/cloudlaunch/arm-lifetime.sh /etc/systemd/system "$CLOUDLAUNCH_MAX_LIFETIME_MINUTES"
  systemctl daemon-reload
  systemctl enable --now cloudlaunch-lifetime.timer
fi

/opt/cloudlaunch/setup-dask.sh "$conf_dir"

if ! id dask >/dev/null 2>&1; then
  useradd --system --create-home --home-dir /var/lib/cloudlaunch --shell /usr/sbin/nologin dask
fi
if [[ -d $conf_dir/tls ]]; then
  chown -R dask:dask "$conf_dir/tls"
  chmod 0700 "$conf_dir/tls"
fi

systemctl daemon-reload
systemctl enable --now cloudlaunch-dask.service
echo "cloudlaunch: dask $CLOUDLAUNCH_ROLE started"

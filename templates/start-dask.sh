#!/bin/bash
# Runs this node's Dask scheduler or worker in the foreground; systemd restarts it. Every value comes from
# cloudlaunch.env, rendered by cloudlaunch from the spec. Usage: start-dask.sh [CONFIG_DIR]
set -euo pipefail
conf_dir=${1:-/etc/cloudlaunch}
# shellcheck source=/dev/null
source "$conf_dir/cloudlaunch.env"
# shellcheck source=/dev/null
source "$(dirname "$0")/lib.sh"
export PATH="$CLOUDLAUNCH_VENV/bin:$PATH"

tls=()
if [[ $DASK_PROTOCOL == tls ]]; then
  tls=(--tls-ca-file "$conf_dir/tls/ca.pem" --tls-cert "$conf_dir/tls/node.pem" --tls-key "$conf_dir/tls/node-key.pem")
fi

case $CLOUDLAUNCH_ROLE in
  scheduler)
    exec python3 -m dask scheduler --protocol "$DASK_PROTOCOL" --port "$DASK_SCHEDULER_PORT" \
      --dashboard-address ":$DASK_DASHBOARD_PORT" "${tls[@]}"
    ;;
  worker)
    # Read at every start: `up` moves the address in instance metadata when it re-creates the scheduler, and a
    # worker exits once its connection to the scheduler breaks (at most --death-timeout later if its nanny restarted
    # it on the old address), so systemd starts it again on the new address.
    scheduler=$("$(dirname "$0")/scheduler-address.sh" "$DASK_SCHEDULER_ADDRESS")
    wait_for_scheduler "$scheduler" || exit 1
    exec python3 -m dask worker "$scheduler" --name "${CLOUDLAUNCH_NODE:-$(hostname)}" --death-timeout 120 \
      --nworkers "$DASK_NWORKERS" --nthreads "$DASK_NTHREADS" --memory-limit "$DASK_MEMORY_LIMIT" "${tls[@]}"
    ;;
  *)
    echo "cloudlaunch: unknown role '$CLOUDLAUNCH_ROLE'" >&2
    exit 2
    ;;
esac

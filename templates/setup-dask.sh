#!/bin/bash
# Installs the pinned Dask into a virtualenv unless that version is already importable (a baked image), then the
# spec's extra pip packages and setup commands. Usage: setup-dask.sh [CONFIG_DIR]
set -euo pipefail
conf_dir=${1:-/etc/cloudlaunch}
# shellcheck source=/dev/null
source "$conf_dir/cloudlaunch.env"
export PATH="$CLOUDLAUNCH_VENV/bin:$PATH"

# A distribution build carries a local version label (Debian: 2022.12.1+ds.1): the release is what counts.
has_pinned_dask() {
  python3 - "$DASK_VERSION" <<'PY' 2>/dev/null
import sys
import dask, distributed
wanted = sys.argv[1]
sys.exit(0 if all(v.split("+")[0] == wanted for v in (dask.__version__, distributed.__version__)) else 1)
PY
}

if has_pinned_dask; then
  echo "cloudlaunch: dask $DASK_VERSION is already installed, skipping the install"
else
  # Ubuntu cloud images ship python3 without ensurepip, which venv needs.
  if ! python3 -m venv "$CLOUDLAUNCH_VENV"; then
    rm -rf "$CLOUDLAUNCH_VENV"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
    python3 -m venv "$CLOUDLAUNCH_VENV"
  fi
  "$CLOUDLAUNCH_VENV/bin/python" -m pip install -q --upgrade pip
  "$CLOUDLAUNCH_VENV/bin/python" -m pip install -q "dask[distributed,diagnostics]==$DASK_VERSION"
fi

if ((${#DASK_PIP_PACKAGES[@]} > 0)); then
  python3 -m pip install -q "${DASK_PIP_PACKAGES[@]}"
fi

for command in "${DASK_SETUP_COMMANDS[@]}"; do
  echo "cloudlaunch: setup command: $command"
  bash -c "$command"
done

#!/bin/bash
# Always a venv, so pip never touches the system Python (PEP 668): with --system-site-packages on an image that has
# the pinned Dask, else with Dask from PyPI; then pip_packages and setup commands. Usage: setup-dask.sh [CONFIG_DIR]
set -euo pipefail
conf_dir=${1:-/etc/cloudlaunch}
# shellcheck source=/dev/null
source "$conf_dir/cloudlaunch.env"
# shellcheck source=/dev/null
source "$(dirname "$0")/lib.sh"
trap report_failure EXIT
venv=$CLOUDLAUNCH_VENV
export PIP_DISABLE_PIP_VERSION_CHECK=1

# A distribution build carries a local version label (Debian: 2022.12.1+ds.1): the release is what counts.
has_pinned_dask() {
  "$1" - "$DASK_VERSION" <<'PY' 2>/dev/null
import sys
import dask, distributed
wanted = sys.argv[1]
sys.exit(0 if all(v.split("+")[0] == wanted for v in (dask.__version__, distributed.__version__)) else 1)
PY
}

make_venv() {
  # Ubuntu images lack ensurepip (python3-venv).
  python3 -m venv "$@" "$venv" 2>/dev/null && return 0
  rm -rf "$venv"
  step "installing python3-venv"
  apt_install python3-venv
  python3 -m venv "$@" "$venv"
}

if [[ -x $venv/bin/python ]] && has_pinned_dask "$venv/bin/python"; then
  say "dask $DASK_VERSION is ready in $venv"
elif has_pinned_dask python3; then
  step "creating the venv on the image's dask $DASK_VERSION"
  make_venv --system-site-packages
else
  step "creating the venv"
  make_venv
  step "installing dask $DASK_VERSION"
  retry "$venv/bin/python" -m pip install -q "dask[distributed,diagnostics]==$DASK_VERSION"
fi

if ((${#DASK_PIP_PACKAGES[@]} > 0)); then
  step "installing pip packages: ${DASK_PIP_PACKAGES[*]}"
  retry "$venv/bin/python" -m pip install -q "${DASK_PIP_PACKAGES[@]}"
fi

for command in "${DASK_SETUP_COMMANDS[@]}"; do
  step "setup command: $command"
  PATH="$venv/bin:$PATH" bash -c "$command"
done

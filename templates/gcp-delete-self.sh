#!/bin/bash
# GCP under idle_timeout: deletes this instance through the Compute API, as scheduling.maxRunDuration with
# instanceTerminationAction=DELETE does for max_lifetime. A guest power-off on Compute Engine only stops a VM (its
# disks stay billed; https://cloud.google.com/compute/docs/instances/instance-lifecycle), and no instance setting turns
# a guest shutdown into a deletion, so the guest asks for it: with an access token of the service account the driver
# attached (scope https://www.googleapis.com/auth/compute), which needs compute.instances.delete on this instance.
# Token, name, zone and project from the metadata server:
# https://cloud.google.com/compute/docs/access/authenticate-workloads#applications
# https://cloud.google.com/compute/docs/metadata/predefined-metadata-keys
# Exits non-zero, saying why, when it cannot; the caller powers the node off then.
# Usage: gcp-delete-self.sh   (GCE_METADATA_HOST and CLOUDLAUNCH_GCP_COMPUTE_URL redirect it, for tests)
set -euo pipefail
metadata="http://${GCE_METADATA_HOST:-metadata.google.internal}/computeMetadata/v1"
compute=${CLOUDLAUNCH_GCP_COMPUTE_URL:-https://compute.googleapis.com}

# The metadata server is never reached through a proxy.
from_metadata() { curl -sS --fail --noproxy '*' --max-time 10 -H 'Metadata-Flavor: Google' "$metadata/$1"; }

name=$(from_metadata instance/name)
zone=$(from_metadata instance/zone)
zone=${zone##*/}
project=$(from_metadata project/project-id)
if ! token_json=$(from_metadata instance/service-accounts/default/token 2>&1); then
  echo "cloudlaunch: no service account token for $name ($token_json): the VM was created without a service account" >&2
  exit 1
fi
token=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' <<<"$token_json")

url="$compute/compute/v1/projects/$project/zones/$zone/instances/$name"
body=$(mktemp)
trap 'rm -f "$body"' EXIT
for attempt in 1 2 3; do
  # The token goes in on stdin, not on the command line where ps would show it.
  status=$(curl -sS --max-time 30 -o "$body" -w '%{http_code}' -X DELETE -H @- "$url" \
    <<<"Authorization: Bearer $token") || status=000
  if [[ $status == 200 ]]; then
    echo "cloudlaunch: Compute Engine accepted the deletion of $name"
    exit 0
  fi
  answer=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["error"]["message"])' \
    <"$body" 2>/dev/null || echo "HTTP $status")
  # 401/403 (scope, IAM permission) and 404 do not change with a retry.
  [[ $status == 5* || $status == 429 || $status == 000 ]] || break
  sleep $((attempt * 5))
done
echo "cloudlaunch: could not delete $name: $answer" >&2
exit 1

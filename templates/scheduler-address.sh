#!/bin/bash
# Prints the scheduler address a worker should dial now: the IP `up` keeps in this node's own instance metadata
# (rewritten when it re-creates the scheduler), else the first-boot address. Run at each service start; only this
# node's cloud answers, so each metadata service is asked in turn. Usage: scheduler-address.sh FALLBACK_ADDRESS
set -uo pipefail
fallback=$1
key=cloudlaunch-scheduler-ip
imds=${CLOUDLAUNCH_IMDS:-http://169.254.169.254}
get() { curl -sf -m 2 "$@"; }
ip=""
if token=$(get -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$imds/latest/api/token"); then
  ip=$(get -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/tags/instance/$key")
fi
[[ -n $ip ]] || ip=$(get -H "Metadata-Flavor: Google" "${CLOUDLAUNCH_IMDS:-http://metadata.google.internal}/computeMetadata/v1/instance/attributes/$key")
if [[ -z $ip ]]; then
  ip=$(get -H "Metadata: true" "$imds/metadata/instance/compute/tagsList?api-version=2021-02-01" |
    python3 -c 'import json, sys; print(next((t["value"] for t in json.load(sys.stdin) if t["name"] == sys.argv[1]), ""))' "$key" 2>/dev/null)
fi
# Only an IPv4 address is taken from metadata: anything else there is ignored, never run or passed on.
if [[ $ip =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ && $fallback == *://*:* ]]; then
  echo "${fallback%%://*}://$ip:${fallback##*:}"
else
  echo "$fallback"
fi

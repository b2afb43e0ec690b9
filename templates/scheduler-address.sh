#!/bin/bash
# The scheduler address to dial: the IP `up` keeps in this node's metadata (EC2 tag, GCP attribute, Azure tag; only
# the node's own cloud answers), else the first-boot one. Usage: scheduler-address.sh FALLBACK_ADDRESS
set -uo pipefail
f=$1 k=cloudlaunch-scheduler-ip m=${CLOUDLAUNCH_IMDS:-http://169.254.169.254}
g() { curl -sf -m 2 "$@"; }
t=$(g -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$m/latest/api/token") && ip=$(g -H "X-aws-ec2-metadata-token: $t" "$m/latest/meta-data/tags/instance/$k")
[[ -n ${ip:-} ]] || ip=$(g -H "Metadata-Flavor: Google" "${CLOUDLAUNCH_IMDS:-http://metadata.google.internal}/computeMetadata/v1/instance/attributes/$k")
[[ -n $ip ]] || ip=$(g -H "Metadata: true" "$m/metadata/instance/compute/tagsList?api-version=2021-02-01" | grep -o "\"$k\",\"value\":\"[0-9.]*\"" | grep -o "[0-9.]*\"$" | tr -d '"')
# Only an IPv4 address is taken from metadata.
if [[ $ip =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ && $f == *://*:* ]]; then echo "${f%%://*}://$ip:${f##*:}"; else echo "$f"; fi

#!/bin/bash
# Prints the scheduler address a worker should dial now. `up` keeps the scheduler's private IP in the worker's own
# instance metadata (key cloudlaunch-scheduler-ip) and rewrites it when it re-creates the scheduler; this runs at
# every service start, so a restarted worker follows the new scheduler. The address written at first boot is the
# fallback when the metadata service has no value. Usage: scheduler-address.sh PROVIDER FALLBACK_ADDRESS
#   EC2: instance tags through IMDSv2 (InstanceMetadataTags enabled at launch):
#        https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html
#   GCP: custom metadata: https://cloud.google.com/compute/docs/metadata/querying-metadata
#   Azure: IMDS compute tagsList: https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service
set -uo pipefail
provider=$1
fallback=$2
key=cloudlaunch-scheduler-ip
imds=${CLOUDLAUNCH_IMDS:-http://169.254.169.254}
ip=""
case $provider in
  aws)
    if token=$(curl -sf -m 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$imds/latest/api/token"); then
      ip=$(curl -sf -m 2 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/tags/instance/$key")
    fi
    ;;
  gcp)
    ip=$(curl -sf -m 2 -H "Metadata-Flavor: Google" "${CLOUDLAUNCH_IMDS:-http://metadata.google.internal}/computeMetadata/v1/instance/attributes/$key")
    ;;
  azure)
    ip=$(curl -sf -m 2 -H "Metadata: true" "$imds/metadata/instance/compute/tagsList?api-version=2021-02-01" |
      python3 -c 'import json, sys; print(next((t["value"] for t in json.load(sys.stdin) if t["name"] == sys.argv[1]), ""))' "$key")
    ;;
esac
# Only an IPv4 address is taken from metadata: anything else there is ignored, never run or passed on.
if [[ $ip =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ && $fallback == *://*:* ]]; then
  echo "${fallback%%://*}://$ip:${fallback##*:}"
else
  echo "$fallback"
fi

#!/usr/bin/env bash
# make demo: a real `pulumi up` of the demo stack (Pulumi.yaml) on a local file backend, its
# outputs, then `pulumi destroy`, so that nothing is left behind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

state="$root/.state/demo"
mkdir -p "$state/backend"
export PULUMI_BACKEND_URL="file://$state/backend"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-pulumi-ims-demo}"
stack=demo

run() { printf '\n$ %s\n' "$*"; "$@"; }

pulumi stack select "$stack" --create --non-interactive >/dev/null
trap 'pulumi destroy --yes --non-interactive --stack "$stack" >/dev/null 2>&1 || true' ERR
run pulumi up --yes --non-interactive --stack "$stack"
run pulumi stack output --stack "$stack"
run pulumi destroy --yes --non-interactive --stack "$stack"
pulumi stack rm --yes --non-interactive "$stack" >/dev/null

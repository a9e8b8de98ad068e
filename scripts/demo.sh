#!/usr/bin/env bash
# make demo: starts ims-emulator, runs a real `pulumi up` of the demo stack (Pulumi.yaml) against it
# on a local file backend, shows the outputs, then `pulumi destroy`; leaves nothing running.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

state="$root/.state/demo"
mkdir -p "$state/backend"
export PULUMI_BACKEND_URL="file://$state/backend"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-pulumi-ims-demo}"
stack=demo

log="$state/emulator.log"
node dist/emulator/cli.js --port 0 --job-duration 2000 >"$log" 2>&1 &
emulator=$!
stop() {
  pulumi destroy --yes --non-interactive --stack "$stack" >/dev/null 2>&1 || true
  kill "$emulator" 2>/dev/null || true
  wait "$emulator" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.05; done
url=$(sed -n 's/^ims-emulator listening on //p' "$log")
[ -n "$url" ] || { cat "$log"; echo "demo: ims-emulator did not start" >&2; exit 1; }
echo "ims-emulator is listening on $url"

# Credentials come from the environment, as with a real cloud: they never enter the stack's state.
world=$(node dist/emulator/cli.js world --url "$url")
# key PROJECT FIELD: a field of the access key of a project of the emulator's world.
key() { node -e 'const w=JSON.parse(process.argv[1]);process.stdout.write(w.accessKeys.find((k)=>k.projectName===process.argv[2])[process.argv[3]])' "$world" "$1" "$2"; }
export HW_ACCESS_KEY=$(key ap-southeast-1 access)
export HW_SECRET_KEY=$(key ap-southeast-1 secret)
# The second project accepts the share with its own key; its secret key stays in the environment.
export IMS_PROFILE_ANALYTICS_SECRET_KEY=$(key ap-southeast-1_analytics secret)

run() { printf '\n$ %s\n' "$*"; "$@"; }

pulumi stack select "$stack" --create --non-interactive >/dev/null
pulumi config set ims:region ap-southeast-1 --stack "$stack" >/dev/null
pulumi config set ims:endpoint "$url" --stack "$stack" >/dev/null
pulumi config set ims:authUrl "$url/v3" --stack "$stack" >/dev/null
pulumi config set --path ims:profiles.analytics.accessKey "$(key ap-southeast-1_analytics access)" --stack "$stack" >/dev/null
pulumi config set --path ims:profiles.analytics.projectId "$(key ap-southeast-1_analytics projectId)" --stack "$stack" >/dev/null
pulumi config set analyticsProjectId "$(key ap-southeast-1_analytics projectId)" --stack "$stack" >/dev/null
run pulumi up --yes --non-interactive --stack "$stack"
run pulumi stack output --json --stack "$stack"
run pulumi destroy --yes --non-interactive --stack "$stack"
pulumi stack rm --yes --non-interactive "$stack" >/dev/null

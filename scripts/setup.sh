#!/usr/bin/env bash
# Installs what `make` needs, into .tools/ (git-ignored), and nothing twice:
#   1. Node.js >= 22: the machine's, or Node 24 LTS from the npm package node@24;
#   2. the npm dependencies (npm ci, again only when package-lock.json or Node changed);
#   3. a Python virtual environment with Huawei Cloud's IMS SDK (tools/python), for fidelity tests;
#   4. the Pulumi CLI >= 3.248: the machine's, or built from Go modules (tools/pulumi).
# The Makefile puts .tools/bin and .tools/pulumi/bin first on PATH.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
pulumi_version=v3.259.0
min_pulumi=3.248.0
min_node=22

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

mkdir -p "$tools/bin"

# 1. Node.js
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt "$min_node" ]; then
  command -v npm >/dev/null || die "Node.js >= $min_node is needed and npm is missing to install it: install Node.js $min_node or newer (e.g. apt-get install nodejs npm)."
  say "node $(node --version 2>/dev/null || echo 'missing') is older than $min_node: installing Node 24 LTS from the npm package node@24 into .tools/node"
  rm -rf "$tools/node"
  npm install --prefix "$tools/node" --no-save --no-audit --no-fund --loglevel=error node@24 >&2
  [ -x "$tools/node/node_modules/node/bin/node" ] || die "the npm package node@24 did not provide a node binary"
  ln -sfn ../node/node_modules/node/bin/node "$tools/bin/node"
  hash -r
  [ "$(node_major)" -ge "$min_node" ] || die "node on PATH is still $(node --version): put $tools/bin first on PATH"
fi

# 2. npm dependencies
deps_key="$(node --version) $(hash_of "$root/package-lock.json")"
if [ "$(cat "$root/node_modules/.setup-key" 2>/dev/null)" != "$deps_key" ]; then
  say "installing npm dependencies (npm ci)"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$deps_key" > "$root/node_modules/.setup-key"
fi
# The repository's own demo program loads pulumi-ims by name, as users do.
[ -L "$root/node_modules/pulumi-ims" ] || ln -sfn .. "$root/node_modules/pulumi-ims"

# 3. The official Huawei Cloud and G42 Cloud Python SDKs and openstacksdk: independent clients for the emulator's fidelity tests.
py_key="$(hash_of "$root/tools/python/requirements.txt")"
if [ "$(cat "$tools/py/.setup-key" 2>/dev/null)" != "$py_key" ]; then
  command -v python3 >/dev/null || die "python3 (>= 3.8, with venv) is needed for the fidelity tests: install python3 and python3-venv."
  say "installing the official Huawei Cloud and G42 Cloud Python SDKs and openstacksdk (tools/python/requirements.txt) into .tools/py"
  rm -rf "$tools/py"
  python3 -m venv "$tools/py" || die "python3 -m venv failed: install python3-venv."
  "$tools/py/bin/pip" install --quiet --disable-pip-version-check -r "$root/tools/python/requirements.txt" >&2
  echo "$py_key" > "$tools/py/.setup-key"
fi

# 4. Pulumi CLI, language host and dynamic-provider shim, in one directory.
pulumi_bin="$tools/pulumi/bin"
src_key="$pulumi_version $(hash_of "$root/tools/pulumi/go.mod" "$root/tools/pulumi/go.sum" "$root"/tools/pulumi/cmd/*/*.go)"
if [ "$(cat "$pulumi_bin/.build-key" 2>/dev/null)" = "$src_key" ]; then
  exit 0
fi
external=$(PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$pulumi_bin" | paste -sd:) command -v pulumi || true)
if [ -n "$external" ]; then
  have=$("$external" version 2>/dev/null | sed 's/^v//')
  if [ -n "$have" ] && version_at_least "$have" "$min_pulumi"; then
    exit 0
  fi
fi

command -v go >/dev/null || die "no pulumi >= $min_pulumi on PATH, and Go (>= 1.25) is needed to build it: install Go from your distribution or go.dev, or install the Pulumi CLI, then run make again."
go_have=$(go env GOVERSION | sed 's/^go//')
version_at_least "$go_have" 1.25 || die "Go $go_have is too old to build the Pulumi CLI: Go >= 1.25 is needed."
say "building the Pulumi CLI $pulumi_version and its Node.js language host from Go modules (first time: a few minutes)"
rm -rf "$pulumi_bin" && mkdir -p "$pulumi_bin"
(
  cd "$root/tools/pulumi"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version" \
    -o "$pulumi_bin/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ./cmd/pulumi-language-nodejs
)
install -m 0755 "$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" "$pulumi_bin/"
[ "$("$pulumi_bin/pulumi" version)" = "$pulumi_version" ] || die "the built pulumi does not report $pulumi_version"
echo "$src_key" > "$pulumi_bin/.build-key"
say "pulumi $pulumi_version is in .tools/pulumi/bin"

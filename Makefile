# Chat: build, run and test. `make run` and `make test` are the two commands a fresh machine needs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

PORT            ?= 8080
SCREENSHOTS     := test-output/screenshots
FUZZ_QUICK_SECS ?= 10
FUZZ_LONG_SECS  ?= 600
PYTEST_ARGS     ?=

.PHONY: all deps build build-debug run test swift-test web-test quick-fuzz check-config e2e fuzz bench clean

all: build

## deps: install missing Debian packages and the e2e Python tools (.venv)
deps:
	@scripts/deps.sh

## build: release binaries in .build/release, with the Swift runtime linked in as in the container
## image (an idle service stays under 15 MB resident; scripts/bench/idle.py measures it)
build:
	swift build -c release --static-swift-stdlib

## run: everything on http://127.0.0.1:$(PORT) in the foreground; Ctrl-C stops it
run: deps build
	PORT=$(PORT) BIN_DIR=.build/release deploy/run-local.sh

## test: unit tests, a short fuzz run, config checks, and the e2e suite (integration + browser)
test: deps swift-test web-test quick-fuzz check-config e2e

build-debug:
	swift build --build-tests

# The SMTP tests run a real aiosmtpd server: from .venv (make deps), else Debian's python3-aiosmtpd.
swift-test: build-debug
	PYTHON=$(CURDIR)/.venv/bin/python swift test --skip-build

## web-test: unit tests of the pages' ES modules (node's built-in test runner; node 18 or later).
## web/package.json ("type": "module") makes node load web/js/*.js as ES modules.
web-test: deps
	node --test web/tests/

quick-fuzz:
	@if [ -x scripts/fuzz.sh ]; then scripts/fuzz.sh $(FUZZ_QUICK_SECS); \
	 else echo "quick-fuzz: scripts/fuzz.sh not present, nothing to fuzz"; fi

## check-config: docker-compose.yml with both validators, the rendered nginx config with nginx -t
check-config: deps
	docker-compose -f docker-compose.yml config -q
	.venv/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	scripts/check-nginx.sh

e2e: deps build-debug
	rm -rf $(SCREENSHOTS) && mkdir -p $(SCREENSHOTS)
	status=0; BIN_DIR=$(CURDIR)/.build/debug SCREENSHOT_DIR=$(CURDIR)/$(SCREENSHOTS) \
	    .venv/bin/pytest e2e $(PYTEST_ARGS) || status=$$?; \
	echo "browser screenshots: $(CURDIR)/$(SCREENSHOTS)"; exit $$status

## fuzz: long fuzz runs
fuzz:
	@test -x scripts/fuzz.sh || { echo "fuzz: scripts/fuzz.sh not present"; exit 1; }
	scripts/fuzz.sh $(FUZZ_LONG_SECS)

## bench: history page and WebSocket fan-out benchmarks (minutes of full CPU; not part of test)
## scripts/bench/README.md. BENCH_ARGS go to fanout.py, e.g. BENCH_ARGS="--scenarios A --reps 1"
bench: deps build
	.venv/bin/python scripts/bench/idle.py
	.venv/bin/python scripts/bench/history.py
	.venv/bin/python scripts/bench/fanout.py $(BENCH_ARGS)

clean:
	rm -rf .build test-output

SHELL := /bin/bash
# Net: Node's `net` module in Swift on libuv.
# `make run` and `make test` work on a fresh Debian machine: both install missing system packages first.

SWIFT        ?= swift
PORT         ?= 8124
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ASAN_SCRATCH := .build-asan
# Our own sources only: a warning here fails the build (dependencies' warnings are not ours to fix).
OWN_WARNINGS := grep -E '^/.*/(Sources|Tests|Modules|Benchmarks/Sources)/.*: warning:'

.PHONY: all deps build test test-plain test-asan run bench fuzz docs conformance clean

all: build

## deps: install what is missing with apt: libuv1-dev and pkg-config (to build), socat and netcat-openbsd
## (the interop tests of the nc example run against them).
deps:
	@missing=""; \
	  pkg-config --exists libuv 2>/dev/null || missing="$$missing libuv1-dev pkg-config"; \
	  command -v socat >/dev/null || missing="$$missing socat"; \
	  command -v nc.openbsd >/dev/null || missing="$$missing netcat-openbsd"; \
	  if [ -n "$$missing" ]; then \
	    echo "== installing$$missing"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  fi
	@pkg-config --modversion libuv | sed 's/^/libuv /'

## build: build the package and its tests; any warning in our sources fails it.
build: deps
	@$(SWIFT) build --build-tests 2>&1 | tee .build-log.txt | grep -vE '^\[[0-9]+/[0-9]+\]' ; \
	  status=$${PIPESTATUS[0]}; [ $$status -eq 0 ] || exit $$status; \
	  if $(OWN_WARNINGS) .build-log.txt; then echo "error: warnings in our sources (above)"; exit 1; fi

## test: the whole suite, then the whole suite again under AddressSanitizer.
test: build test-plain test-asan conformance

test-plain: deps
	$(SWIFT) test

test-asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/.lsan-suppressions:print_suppressions=0 \
	  $(SWIFT) test --sanitize=address --scratch-path $(ASAN_SCRATCH)

## run: the demo program (the echo server of Node's docs once TCP lands).
run: deps
	$(SWIFT) run -c release NetDemo

## bench: Net vs raw libuv, SwiftNIO and Node (Benchmarks/run.sh; QUICK=1, RUNS, BENCH_SECONDS, BENCH_FILTER).
## Benchmarks/ is its own package, so Net's users never download benchmark dependencies (SwiftNIO, HdrHistogram).
bench: deps
	bash Benchmarks/run.sh

## fuzz: libFuzzer over the address parser, for a bounded time (FUZZ_SECONDS, default 60).
fuzz: deps
	bash Fuzz/run.sh

## docs: DocC documentation of the Net module into .build/docs.
docs: deps
	$(SWIFT) build --target Net -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc .build/symbol-graphs
	docc convert --additional-symbol-graph-dir .build/symbol-graphs --output-path .build/docs \
	  --fallback-display-name Net --fallback-bundle-identifier net.swift --fallback-bundle-version 1
	python3 scripts/doc-coverage.py
	@echo "documentation in .build/docs"

## conformance: recount CONFORMANCE.md from the test tree; fails when the table and the tests disagree.
conformance:
	python3 scripts/conformance.py --check

clean:
	rm -rf .build $(ASAN_SCRATCH) .build-log.txt

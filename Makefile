SHELL := /bin/bash
# Net: Node's `net` module in Swift on libuv.
# `make run` and `make test` work on a fresh Debian machine: both install missing system packages first.

SWIFT        ?= swift
PORT         ?= 8124
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ASAN_SCRATCH := .build-asan
# `make docs` builds with symbol-graph flags in a scratch folder of its own: in .build, a module built
# earlier without them would not be recompiled, and its symbol graph would be missing.
DOCS_SCRATCH := .build-docs
# Our own sources only: a warning here fails the build (dependencies' warnings are not ours to fix).
OWN_WARNINGS := grep -E '^/.*/(Sources|Tests|Modules|Benchmarks/Sources)/.*: warning:'

.PHONY: all deps build test test-plain test-asan test-tsan test-docs run bench fuzz docs conformance clean

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

## build: build the package and its tests; any warning in our sources fails it. SwiftPM's progress lines
## ([n/m] Compiling …) pass through, so a first build (a few minutes on 2 cores) is never silent.
build: deps
	@$(SWIFT) build --build-tests 2>&1 | tee .build-log.txt; \
	  status=$${PIPESTATUS[0]}; [ $$status -eq 0 ] || exit $$status; \
	  if $(OWN_WARNINGS) .build-log.txt; then echo "error: warnings in our sources (above)"; exit 1; fi

## test: the whole suite, then the whole suite again under AddressSanitizer, then the documentation's
## Swift blocks, built against Net (scripts/doc-snippets.py).
test: build test-plain test-asan test-tsan conformance test-docs

# Swift Testing only: the suite has no XCTest tests, and XCTest's runner would print "Executed 0 tests".
test-plain: deps
	$(SWIFT) test --disable-xctest

# Linked with lld: gold, Swift's default linker on Linux, prints one "Cannot export local symbol
# '__asan…'" line for each of ~560 symbols of the sanitizer's runtime (harmless, and not ours to fix).
test-asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/.lsan-suppressions:print_suppressions=0 \
	  $(SWIFT) test --disable-xctest --sanitize=address --scratch-path $(ASAN_SCRATCH) -Xswiftc -use-ld=lld

## test-tsan: the tests that cross threads (execute, loops on several threads, shutdown, LoopBound, async) under
## ThreadSanitizer; any report fails it. The cross-thread queue is a pthread mutex, which TSan understands.
TSAN_SCRATCH := .build-tsan
TSAN_SUITES  := ThreadCheckTests|EventLoopTests|LoopShutdownTests|LoopBoundTests|HandleLifetimeTests|ListenerRetentionTests|BlockListThreadsTests|EventLoopGroupTests|GroupServerTests|ListenHandleInCluster1Tests|ListenHandleInCluster2Tests|ListenTwiceTests|ListenExclusiveRandomPortsTests|ListenSharedPortsTests|ServerCloseBeforeIpcResponseTests|ServerDropConnectionsInClusterTests|AsyncTests|AsyncJobCountTests
test-tsan: deps
	$(SWIFT) test --disable-xctest --sanitize=thread --scratch-path $(TSAN_SCRATCH) -Xswiftc -use-ld=lld \
	  --filter '$(TSAN_SUITES)'

## test-docs: every ```swift block of README.md and Sources/Net/Net.docc, built as a separate package
## against Net in Swift 6 mode, alone and next to `import Foundation`; fails on any error.
test-docs: deps
	python3 scripts/doc-snippets.py

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

## docs: DocC documentation of Net (Sources/Net/Net.docc and every public symbol) into .build/docs, as a
## static site; fails on any DocC warning and on any public symbol of Net or NetFoundation without a comment.
# The toolchain's own `docc` (next to `swift`) does the work: Net needs no swift-docc-plugin dependency.
docs: deps
	$(SWIFT) build --target NetFoundation --scratch-path $(DOCS_SCRATCH) \
	  -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc $(DOCS_SCRATCH)/symbol-graphs
	python3 scripts/doc-coverage.py $(DOCS_SCRATCH)/symbol-graphs
	rm -rf $(DOCS_SCRATCH)/symbol-graphs-net && mkdir -p $(DOCS_SCRATCH)/symbol-graphs-net && \
	  cp $(DOCS_SCRATCH)/symbol-graphs/Net.symbols.json $(DOCS_SCRATCH)/symbol-graphs-net/
	docc convert Sources/Net/Net.docc --additional-symbol-graph-dir $(DOCS_SCRATCH)/symbol-graphs-net \
	  --output-path .build/docs --transform-for-static-hosting --warnings-as-errors \
	  --fallback-display-name Net --fallback-bundle-identifier net.swift --fallback-bundle-version 0.1.0
	@echo "documentation in .build/docs: view it with"
	@echo "  python3 -m http.server 8000 --directory .build/docs   then open http://localhost:8000/documentation/net"

## conformance: recount CONFORMANCE.md from the test tree; fails when the table and the tests disagree.
conformance:
	python3 scripts/conformance.py --check

clean:
	rm -rf .build $(ASAN_SCRATCH) $(TSAN_SCRATCH) $(DOCS_SCRATCH) .build-log.txt

# Airlock: the two commands a new user runs are `make demo` and `make test`.
# Both install whatever is missing (Debian and npm packages), build, then run.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
export CCACHE_DIR ?= $(HOME)/.cache/ccache
# Cache hits across clones in other folders (CI builds a fresh clone each time).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps build build-asan build-fuzz test unit-test asan-test fuzz-test fuzz-long \
        integration-test soak demo demo-stop bench clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

build-fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target fuzzers

unit-test: build
	@ctest --preset release -j $(JOBS)

asan-test: build-asan
	@ctest --preset asan -j $(JOBS)
	@AIRLOCK_BIN=build/asan/src/app/airlock bash tests/integration/run.sh

fuzz-test: build-fuzz
	@bash tests/fuzz/run.sh

# Not part of `make test`: the name-state differential against a real PostgreSQL for
# NAMES_SECONDS (one seed from the clock, printed; known-bug markers ignored; 0 skips it and
# the release build), then every libFuzzer target, one at a time, for FUZZ_MINUTES each from
# its committed corpus. The inputs that add coverage are merged into tests/fuzz/corpus/<name>/
# (libFuzzer -merge=1; commit them), and a table gives each target's execs, cov, ft and corpus
# size before -> after (tests/fuzz/run.sh with FUZZ_MERGE=1; docs/reliability.md).
NAMES_SECONDS ?= 1200
FUZZ_MINUTES ?= 30
fuzz-long: build-fuzz $(if $(filter 0,$(NAMES_SECONDS)),,build)
	@if (( $(NAMES_SECONDS) > 0 )); then \
	  NAMES_DIFFERENTIAL_SECONDS=$(NAMES_SECONDS) AIRLOCK_BIN=build/release/src/app/airlock \
	  /usr/bin/python3 -m pytest -q -s --runxfail -o timeout=$$(($(NAMES_SECONDS) + 900)) \
	  tests/integration/test_names_differential.py -k clock_seed; fi
	@FUZZ_SECONDS=$$(($(FUZZ_MINUTES) * 60)) FUZZ_MERGE=1 bash tests/fuzz/run.sh

integration-test: build
	@AIRLOCK_BIN=build/release/src/app/airlock bash tests/integration/run.sh

# Not part of `make test`: SOAK_MINUTES of mixed traffic (psycopg, node-postgres, pgbench,
# 1,000 idle connections) with faults through the release build, against a throwaway
# PostgreSQL; prints its figures and fails on a leak, a lost audit record, a surviving
# refused write or a slow p99 (tests/soak/soak.py, docs/reliability.md).
SOAK_MINUTES ?= 20
soak: build
	@SOAK_MINUTES=$(SOAK_MINUTES) AIRLOCK_BIN=build/release/src/app/airlock \
	  /usr/bin/python3 tests/soak/soak.py

# Everything CI runs: warnings as errors, unit tests, integration tests against a real
# PostgreSQL 15 with real clients, the same again under ASan+UBSan, and bounded fuzzing.
test: unit-test integration-test asan-test fuzz-test
	@echo "make test: all suites passed"

demo: build
	@bash scripts/demo.sh

demo-stop:
	@bash scripts/demo.sh stop

bench: build
	@bash bench/run.sh

clean:
	rm -rf build

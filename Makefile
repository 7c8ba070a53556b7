# airtp: two commands do everything on a fresh Debian/Ubuntu machine.
#   make run   installs what is missing, builds the airtp command, runs the end-to-end
#              experiment (SSCA assignment on heterogeneous devices, then transmission MSE,
#              accuracy of the bundled model and latency per token against the transmit power)
#              and writes results/e2e.h5 plus its figure results/e2e_end_to_end.png/.pdf
#   make test  installs, builds and runs every test (C++ and Python)
# Other targets: deps, build, bench, gpu-check, clean. AIRTP_CUDA=AUTO|ON|OFF selects the
# CUDA backend (AUTO: when nvcc is found).

PY        := /usr/bin/python3
BUILD     ?= build
AIRTP_CUDA ?= AUTO
JOBS      ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: smoke all deps build run test bench gpu-check clean

all: build

deps:
	@bash experiments/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DAIRTP_CUDA=$(AIRTP_CUDA) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Builds only what it runs: the airtp command.
run: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DAIRTP_CUDA=$(AIRTP_CUDA) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) --target airtp
	@mkdir -p results
	$(BUILD)/airtp e2e experiments/paper/fig6_end_to_end.smoke.toml -o results/e2e.h5 --fresh
	$(PY) analysis/plot_end_to_end.py results/e2e.h5 -o results

# Every paper figure's smoke config whose command exists, and its plot (results/smoke/).
smoke: build
	experiments/run-smoke.sh $(BUILD) results/smoke

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 900
	$(PY) -m pytest -q analysis/tests
	$(MAKE) --no-print-directory test-sanitize

# The input-handling C++ tests (file formats, tokenizers, configs and flags, the invalid-input
# table, result files, shards, checkpoints, kernels, the split transformer) under
# AddressSanitizer + UndefinedBehaviorSanitizer, CPU backend, -O1 (CMakeLists.txt names the
# subset; CMAKE_FLAGS=-DAIRTP_SANITIZE_ALL_TESTS=ON runs every test).
test-sanitize: deps
	@cmake -S . -B build-asan -DAIRTP_SANITIZE=ON $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" >/dev/null
	@cmake --build build-asan -j$(JOBS) --target airtp airtp_tests
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS) --timeout 900

bench: build
	$(BUILD)/airtp_bench

gpu-check:
	bash bench/gpu-check.sh

clean:
	rm -rf $(BUILD) build-asan build-gpu gpu-bundle

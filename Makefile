# Quick start: `make run` and `make test` on a fresh Debian 12.
BUILD ?= build
JOBS ?= 2

.PHONY: all bootstrap build run test bench fuzz fuzz-coverage doctest clean format

all: build

bootstrap:
	@scripts/bootstrap.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: bootstrap
	@$(MAKE) --no-print-directory build
	$(BUILD)/ipsec-sim run scenarios/site-to-site.yaml --out results/site-to-site

test: bootstrap
	@$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Prints the ratios of docs/benchmarks.md, measured in one run each.
bench: build
	$(BUILD)/bench/esp-bench
	$(BUILD)/bench/sim-bench bench/line.yaml
	$(BUILD)/bench/sim-bench bench/line6.yaml
	$(BUILD)/bench/ike-bench

# Line and region coverage of the fuzz targets' corpora (after `make fuzz`).
fuzz-coverage: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target fuzz_targets
	test/fuzz/coverage.sh $(BUILD) $(FUZZ_TARGETS)

# Every command line of README.md and docs/, the studies too (minutes).
doctest: build
	python3 test/doc/doc_commands.py . $(BUILD) --long

# The long fuzzing run of docs/fuzzing.md: every libFuzzer target for
# FUZZ_TIME seconds, one after the other (FUZZ_TARGETS: only these).
FUZZ_TIME ?= 600
FUZZ_TARGETS ?=
fuzz: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target fuzz_targets
	test/fuzz/run_long.sh $(BUILD) $(FUZZ_TIME) $(FUZZ_TARGETS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h' '*.cc')

clean:
	rm -rf $(BUILD)

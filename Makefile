# hyper — front door. `make demo` builds and runs a real HTTP/2 exchange with
# nghttpd on loopback; `make check` installs what is missing (Debian), builds
# with -Wall -Wextra -Werror and runs the whole test suite.
#   make check              build/ , RelWithDebInfo
#   make check SANITIZE=1   build-asan/ , ASan + UBSan
#   make fuzz FUZZ_SECONDS=N  libFuzzer targets with clang, N seconds each
#   make memcheck           build-valgrind/ , the whole suite under valgrind
#   make bench              benchmarks against nghttp2
#   make python             the Python module: build/python/ and in place in python/hyper/

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SANITIZE ?=
FUZZ_SECONDS ?= 60

ifeq ($(SANITIZE),1)
BUILD ?= build-asan
CMAKE_FLAGS += -DHYPER_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug -DHYPER_BENCH=OFF
else
BUILD ?= build
endif

.PHONY: all deps configure build check test demo fuzz memcheck bench python clean

all: build

deps:
	@sh scripts/deps.sh

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Under SANITIZE=1 every finding fails the test (UBSan too:
# -fno-sanitize-recover) and LeakSanitizer runs at every exit; the defaults
# are spelled out here (a caller's ASAN_OPTIONS / UBSAN_OPTIONS win).
test:
	cd $(BUILD) && ASAN_OPTIONS="$${ASAN_OPTIONS:-detect_leaks=1}" \
	  UBSAN_OPTIONS="$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
	  ctest --output-on-failure -j $(JOBS)

check: build
	$(MAKE) test BUILD=$(BUILD)

demo: build
	sh scripts/demo.sh $(BUILD)

fuzz: deps
	cmake -S . -B build-fuzz -DHYPER_FUZZ=ON -DHYPER_TESTS=OFF -DHYPER_BENCH=OFF \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build-fuzz -j $(JOBS)
	sh fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

memcheck: deps
	sh scripts/valgrind.sh build-valgrind

python: configure
	cmake --build $(BUILD) -j $(JOBS) --target hyper_python_inplace

bench: build
	sh bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz build-valgrind

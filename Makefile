# Ferrous build.  Layers (DESIGN.md, README "Layout"): util/ < shm/ proto/ < conf/ keyspace/ < types/ < rdb/ lua/ replication/ < worker/ < master/.
# `make` builds bin/ferrous-server; `make test` runs unit (Check) and end-to-end (pytest) tests;
# `make sanitize` builds and tests with AddressSanitizer and UBSan into build-san/.

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
DEBUG_FLAGS ?= -DNDEBUG
CFLAGS  += -std=gnu11 $(OPT) $(DEBUG_FLAGS) -g -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE \
           -I. $(shell pkg-config --cflags lua5.1 2>/dev/null) $(EXTRA_CFLAGS)
LDLIBS  += -llua5.1-cjson -llua5.1-bitop $(shell pkg-config --libs lua5.1 2>/dev/null || echo -llua5.1) -lm -lpthread
MALLOC  ?= -ljemalloc
PYTHON  ?= /usr/bin/python3

LIB_DIRS := util shm proto conf keyspace types rdb lua replication worker master
LIB_SRC  := $(filter-out master/main.c,$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test unit e2e sanitize clean
all: bin/ferrous-server

bin/ferrous-server: $(BUILD)/ferrous-server
	@mkdir -p bin
	cp $< $@.tmp && mv $@.tmp $@

$(BUILD)/ferrous-server: $(BUILD)/master/main.o $(BUILD)/libferrous.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(MALLOC)

$(BUILD)/libferrous.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# Every unit test links the shared fixture (tests/unit/fixture.c, not a test itself).
$(BUILD)/tests/fixture.o: tests/unit/fixture.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/fixture.h $(BUILD)/tests/fixture.o $(BUILD)/libferrous.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/tests/fixture.o $(BUILD)/libferrous.a $(shell pkg-config --libs check) $(LDLIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

e2e: bin/ferrous-server
	FERROUS_BIN=$(abspath $(BUILD)/ferrous-server) $(PYTHON) -m pytest -q tests/e2e $(PYTEST_ARGS)

test: all unit e2e

sanitize:
	$(MAKE) BUILD=build-san OPT=-O1 DEBUG_FLAGS= MALLOC= \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" build-san/ferrous-server unit-san e2e-san

unit-san: $(UNIT_SRC:tests/unit/%.c=build-san/tests/%)
	@set -e; for t in $^; do echo "== $$t"; ASAN_OPTIONS=detect_leaks=0 $$t; done

e2e-san: build-san/ferrous-server
	ASAN_OPTIONS=detect_leaks=0 FERROUS_BIN=$(abspath build-san/ferrous-server) $(PYTHON) -m pytest -q tests/e2e $(PYTEST_ARGS)

# Load generators for benchmarks (bench/), against any RESP server: `make bench-tools`.
bench-tools: $(BUILD)/pubsub_bench

$(BUILD)/pubsub_bench: bench/pubsub_bench.c $(BUILD)/util/cpuset.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -lhiredis -lpthread
.PHONY: bench-tools

clean:
	rm -rf build build-san bin/ferrous-server

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Debian packages the build and the tests need (run as root, or through sudo).
DEB_PACKAGES := build-essential pkg-config liblua5.1-0-dev lua-cjson lua-cjson-dev lua-bitop-dev libjemalloc-dev check \
                libhiredis-dev redis-server redis-tools python3-redis python3-pytest
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi
.PHONY: deps

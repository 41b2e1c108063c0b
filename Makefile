# fcrdnsd -- plain Makefile with pkg-config. `make` builds build/fcrdnsd and
# build/fcrdnsctl; `make test` runs every test; `make run` starts the server.
PKGS     := libevent libevent_pthreads ldns libunbound lmdb
CC       ?= cc
WARN     := -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter -Wformat=2 -Wvla
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE $(WARN) $(shell pkg-config --cflags $(PKGS))
LDLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -levent -lldns -lunbound -llmdb) -linih
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(sort $(wildcard common/*.c store/*.c checker/*.c) \
            $(filter-out server/main.c,$(wildcard server/*.c)))
TESTS    := $(patsubst tests/%.c,%,$(sort $(wildcard tests/test_*.c)))

B        := build
BA       := build/asan

all: $(B)/fcrdnsd $(B)/fcrdnsctl

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<
$(BA)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O1 $(SAN) -MMD -MP -c -o $@ $<

$(B)/libfcrdns.a: $(LIB_SRC:%.c=$(B)/%.o)
	rm -f $@; ar rcs $@ $^
$(BA)/libfcrdns.a: $(LIB_SRC:%.c=$(BA)/%.o)
	rm -f $@; ar rcs $@ $^

$(B)/fcrdnsd: $(B)/server/main.o $(B)/libfcrdns.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(B)/fcrdnsctl: $(B)/ctl/fcrdnsctl.o $(B)/libfcrdns.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BA)/fcrdnsd: $(BA)/server/main.o $(BA)/libfcrdns.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)
$(BA)/fcrdnsctl: $(BA)/ctl/fcrdnsctl.o $(BA)/libfcrdns.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)
$(BA)/test_%: $(BA)/tests/test_%.o $(BA)/libfcrdns.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS) -lcmocka
# tests/rawq: raw DNS queries decoded with ldns (tests/conformance.sh)
$(B)/rawq: $(B)/tests/rawq.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BA)/rawq: $(BA)/tests/rawq.o
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

deps:
	@sh tools/install-deps.sh

# Unit tests (cmocka) under ASan/UBSan, then the integration suite, which
# runs the sanitizer builds of the daemons against NSD, dig and unbound.
unit: $(TESTS:%=$(BA)/%)
	@set -e; for t in $(TESTS); do echo "== $$t"; $(BA)/$$t; done

test: deps
	$(MAKE) all $(BA)/fcrdnsd $(BA)/fcrdnsctl $(BA)/rawq unit
	sh tests/integration.sh $(BA)
	bash tests/conformance.sh $(BA)

run: deps all
	$(B)/fcrdnsd $(ARGS)

demo: deps all
	bash tools/demo.sh

clean:
	rm -rf build

.PHONY: all deps unit test run demo clean
.SECONDARY:
-include $(shell find build -name '*.d' 2>/dev/null)

# libFuzzer over the wire path (clang, ASan + UBSan). FUZZ_SECONDS bounds
# the run; new inputs go to build/fuzz/corpus, the seeds stay as committed.
FUZZ_SECONDS ?= 60
$(B)/fuzz/fuzz_wire: tests/fuzz/fuzz_wire.c $(LIB_SRC)
	@mkdir -p $(B)/fuzz/corpus
	clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined $(shell pkg-config --cflags $(PKGS)) \
	    -o $@ $^ $(LDLIBS)
fuzz: deps $(B)/fuzz/fuzz_wire
	$(B)/fuzz/fuzz_wire -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
	    -print_final_stats=1 $(B)/fuzz/corpus tests/fuzz/corpus
.PHONY: fuzz

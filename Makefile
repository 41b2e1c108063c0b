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
BT       := build/tsan
TSAN     := -fsanitize=thread -fno-omit-frame-pointer

all: $(B)/fcrdnsd $(B)/fcrdnsctl

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<
$(BA)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O1 $(SAN) -MMD -MP -c -o $@ $<
$(BT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O1 $(TSAN) -MMD -MP -c -o $@ $<

$(B)/libfcrdns.a: $(LIB_SRC:%.c=$(B)/%.o)
	rm -f $@; ar rcs $@ $^
$(BA)/libfcrdns.a: $(LIB_SRC:%.c=$(BA)/%.o)
	rm -f $@; ar rcs $@ $^
$(BT)/libfcrdns.a: $(LIB_SRC:%.c=$(BT)/%.o)
	rm -f $@; ar rcs $@ $^

$(B)/fcrdnsd: $(B)/server/main.o $(B)/libfcrdns.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(B)/fcrdnsctl: $(B)/ctl/fcrdnsctl.o $(B)/libfcrdns.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BA)/fcrdnsd: $(BA)/server/main.o $(BA)/libfcrdns.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)
# ThreadSanitizer build of the daemon (tests/threads.sh)
$(BT)/fcrdnsd: $(BT)/server/main.o $(BT)/libfcrdns.a
	$(CC) $(CFLAGS) $(TSAN) -o $@ $^ $(LDLIBS)
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
	$(MAKE) all $(BA)/fcrdnsd $(BA)/fcrdnsctl $(BA)/rawq $(TESTS:%=$(BA)/%) \
	    $(BT)/fcrdnsd $(B)/bench/fill_store
	TSAN_B=$(BT) bash tests/run.sh $(BA)

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
fuzz-deps:
	@sh tools/install-deps.sh --all
fuzz: fuzz-deps $(B)/fuzz/fuzz_wire
	$(B)/fuzz/fuzz_wire -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
	    -print_final_stats=1 $(B)/fuzz/corpus tests/fuzz/corpus
.PHONY: fuzz fuzz-deps

# Benchmarks (bench/, BENCHMARKS.md): not part of `make test`. Installs
# dnsperf, rbldnsd, gnuplot and perf if missing; BENCH_ARGS passes flags to
# bench/run.sh (e.g. BENCH_ARGS=--quick). Results go to bench/results/.
BENCH_BIN := $(B)/bench/floor $(B)/bench/ubdriver $(B)/bench/fill_store
$(B)/bench/floor: bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<
$(B)/bench/ubdriver: bench/ubdriver.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)
$(B)/bench/fill_store: bench/fill_store.c $(B)/libfcrdns.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
bench-deps:
	@sh tools/install-deps.sh --bench
bench: bench-deps all $(BENCH_BIN)
	bash bench/run.sh $(BENCH_ARGS)
.PHONY: bench bench-deps

# make install [PREFIX=/usr/local] [DESTDIR=]: binaries built apart
# (build/inst/) with the installed defaults, absolute paths under /etc and
# /var/lib and the fcrdnsd user; man pages; the apex zone file and
# /etc/fcrdnsd.conf (an existing one is kept); the systemd unit; the store
# directory. With DESTDIR empty it also creates the system user fcrdnsd if
# missing. tests/install.sh checks the tree.
PREFIX   ?= /usr/local
DESTDIR  ?=
BI       := build/inst
SBINDIR  := $(PREFIX)/sbin
MANDIR   := $(PREFIX)/share/man
UNITDIR  := $(if $(filter /usr /,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
INST_DEFS := -DFCRDNSD_DEFAULT_CONF='"/etc/fcrdnsd.conf"' \
             -DFCRDNSD_DEFAULT_DB='"/var/lib/fcrdnsd"' \
             -DFCRDNSD_DEFAULT_ZONE_FILE='"/etc/fcrdnsd/fcrdns.local.zone"' \
             -DFCRDNSD_DEFAULT_USER='"fcrdnsd"' \
             -DFCRDNSD_DEFAULT_CONTROL='"/run/fcrdnsd/fcrdnsd.sock"'
$(BI)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INST_DEFS) -MMD -MP -c -o $@ $<
$(BI)/libfcrdns.a: $(LIB_SRC:%.c=$(BI)/%.o)
	rm -f $@; ar rcs $@ $^
$(BI)/fcrdnsd: $(BI)/server/main.o $(BI)/libfcrdns.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BI)/fcrdnsctl: $(BI)/ctl/fcrdnsctl.o $(BI)/libfcrdns.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
install: $(BI)/fcrdnsd $(BI)/fcrdnsctl
	install -d -m 755 $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)/etc/fcrdnsd $(DESTDIR)$(UNITDIR)
	install -m 755 $(BI)/fcrdnsd $(BI)/fcrdnsctl $(DESTDIR)$(SBINDIR)/
	install -m 644 man/fcrdnsd.8 man/fcrdnsctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 man/fcrdnsd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	[ -e $(DESTDIR)/etc/fcrdnsd/fcrdns.local.zone ] || \
	    install -m 644 zones/fcrdns.local.zone $(DESTDIR)/etc/fcrdnsd/fcrdns.local.zone
	[ -e $(DESTDIR)/etc/fcrdnsd.conf ] || \
	    install -m 644 dist/fcrdnsd.conf $(DESTDIR)/etc/fcrdnsd.conf
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/fcrdnsd.service >$(BI)/fcrdnsd.service
	install -m 644 $(BI)/fcrdnsd.service $(DESTDIR)$(UNITDIR)/fcrdnsd.service
	install -d -m 750 $(DESTDIR)/var/lib/fcrdnsd
	@if [ -z "$(DESTDIR)" ]; then \
	    if ! getent passwd fcrdnsd >/dev/null; then \
	        echo "useradd --system fcrdnsd"; \
	        useradd --system --no-create-home --home-dir /var/lib/fcrdnsd \
	            --shell /usr/sbin/nologin --user-group fcrdnsd || exit 1; \
	    fi; \
	    chown fcrdnsd:fcrdnsd /var/lib/fcrdnsd; \
	    echo "installed; start with: systemctl daemon-reload && systemctl enable --now fcrdnsd"; \
	fi
.PHONY: install

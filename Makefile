# Makefile for masecon, built with PGXS.
#
#   make && make install     build and install into the server pg_config names
#   make installcheck        the pgTAP suites in test/ through pg_prove, then
#                            the pg_regress files in sql/, against a running
#                            server (scripts/test starts a throwaway one)

EXTENSION = masecon
EXTVERSION = 0.1.0

MODULE_big = masecon
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is assembled from the numbered parts in sql/install/,
# so that each topic keeps its own file.
INSTALL_PARTS = $(sort $(wildcard sql/install/*.sql))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*--*.sql))

# Every sql/NAME.sql other than the install and upgrade scripts is a
# pg_regress test, compared with expected/NAME.out.
REGRESS = $(sort $(basename $(notdir $(filter-out sql/$(EXTENSION)--%,$(wildcard sql/*.sql)))))
# --no-locale creates the test database with the C collation, because the
# expected ORDER BY output differs under en_US.UTF-8 and other locales.
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION) --no-locale

# -Wunused-parameter is off because PostgreSQL's own headers and callback
# signatures (fmgr.h, ilist.h, bufpage.h) trip it; PostgreSQL builds the
# same way.
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter
EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_PARTS)
	cat $^ > $@

# pgTAP suites run before the pg_regress files, in a database of their own.
TAP_DB ?= masecon_tap
installcheck: installcheck-tap
installcheck-tap:
	dropdb --if-exists $(TAP_DB)
	createdb $(TAP_DB)
	psql -X -q -v ON_ERROR_STOP=1 -d $(TAP_DB) -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION $(EXTENSION)'
	pg_prove -d $(TAP_DB) --ext .sql -r test/
	dropdb $(TAP_DB)

.PHONY: installcheck-tap

# Memcheck: the test suites against a server under Valgrind, failing on a
# failed test or on any error that scripts/valgrind.supp does not
# suppress.  scripts/valgrind-check installs the build first.
valgrind-check:
	scripts/valgrind-check

.PHONY: valgrind-check

# Fuzzing (scripts/fuzz, or `make fuzz FUZZ_SECONDS=N`): the sources of
# masecon.so compiled with clang's coverage instrumentation for libFuzzer,
# plus the driver in test/fuzz/driver.c and libFuzzer's runtime, built in
# fuzz-build/.  -fsanitize=bounds traps on an out-of-bounds index into a
# fixed-size array, which libFuzzer reports as a crash.  make fuzz-install
# puts this build in place of the installed masecon.so; a plain
# make install puts the normal one back.
FUZZ_SECONDS ?= 30
FUZZ_CC ?= clang-14
FUZZ_BUILD = fuzz-build
FUZZ_CFLAGS = -O1 -g -fPIC -fno-strict-aliasing -fwrapv -fno-omit-frame-pointer \
	-Wall -Wextra -Wno-unused-parameter -Wno-compound-token-split-by-macro \
	-Wno-ignored-attributes \
	-Isrc $(CPPFLAGS)
FUZZ_INSTRUMENT = -fsanitize=fuzzer-no-link,bounds -fsanitize-trap=bounds
FUZZ_OBJS = $(patsubst src/%.c,$(FUZZ_BUILD)/%.o,$(sort $(wildcard src/*.c)))
FUZZ_RUNTIME = $(shell $(FUZZ_CC) -print-file-name=libclang_rt.fuzzer_no_main-x86_64.a)
EXTRA_CLEAN += $(FUZZ_BUILD)

$(FUZZ_BUILD)/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(FUZZ_BUILD)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_INSTRUMENT) -c -o $@ $<

# The driver is left uninstrumented, so that the coverage libFuzzer
# reports is that of masecon's own code.
$(FUZZ_BUILD)/driver.o: test/fuzz/driver.c src/masecon.h
	@mkdir -p $(FUZZ_BUILD)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/masecon.so: $(FUZZ_OBJS) $(FUZZ_BUILD)/driver.o
	$(FUZZ_CC) -shared -o $@ $^ $(FUZZ_RUNTIME) -lstdc++

fuzz-lib: $(FUZZ_BUILD)/masecon.so

fuzz-install: $(FUZZ_BUILD)/masecon.so
	$(INSTALL_SHLIB) $< '$(DESTDIR)$(pkglibdir)/masecon.so'

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

.PHONY: fuzz fuzz-lib fuzz-install

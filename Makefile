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

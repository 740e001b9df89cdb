#!/bin/sh
# ALTER EXTENSION masecon UPDATE keeps every row and the behaviour.  For
# each older version whose install script is installed, the test creates
# the extension at that version, fills it, updates to the default
# version, and checks that every table holds the same rows and that
# events still price, register workflows and verify.
#
# With a single release (0.1.0) there is no older version: the test
# installs the default version and runs ALTER EXTENSION masecon UPDATE
# as a no-op.  To plug in the next release B after A:
#   1. keep A's install script as a frozen file sql/masecon--A.sql and
#      list it in DATA in the Makefile, so that CREATE EXTENSION masecon
#      VERSION 'A' works;
#   2. add the upgrade script sql/masecon--A--B.sql (DATA picks it up);
#   3. nothing here: the loop below finds every installed masecon--X.sql.
# An update that changes rows on purpose (a new shipped price, say)
# leaves them out of snapshot() and checks them on their own.
set -eu

# scripts/test exports PG_CONFIG for the server it tests.
sharedir=$("${PG_CONFIG:-pg_config}" --sharedir)/extension
default=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$sharedir/masecon.control")
versions=$(ls "$sharedir" | sed -n 's/^masecon--\([^-]*\)\.sql$/\1/p' | grep -vx "$default" || true)
work=$(mktemp -d)
db=masecon_upgrade
trap 'rm -rf "$work"; dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT

snapshot() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$db" -c "
SELECT c.oid::regclass
  FROM pg_catalog.pg_class AS c
 WHERE c.relnamespace = 'masecon'::regnamespace
   AND c.relkind IN ('r', 'p')
   AND c.relname <> 'catalog_changes'
 ORDER BY c.relname" > "$work/tables"
	: > "$1"
	while read -r table; do
		echo "== $table" >> "$1"
		psql -X -At -v ON_ERROR_STOP=1 -d "$db" -c "SELECT t::text FROM $table AS t ORDER BY 1" >> "$1"
	done < "$work/tables"
}

status=0
for from in ${versions:-$default}; do
	echo "== from $from to $default"
	dropdb --if-exists "$db"
	createdb "$db"
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
CREATE EXTENSION masecon VERSION '$from';
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('upgrade-model', 'acme-ai', 1.00, 2.00);
INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('upgrade-alias', 'upgrade-model');
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ('up-a', 10);
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('u-1', 'up-a', 'up-wf', 'planner', 'gpt-4o', 2006, 300, '2026-06-01 10:00+00'),
       ('u-2', 'up-a', 'up-wf', 'writer', 'upgrade-alias', 1000, 100, '2026-06-01 10:01+00'),
       ('u-3', 'up-a', 'up-wf', 'writer', 'mystery', 10, 10, '2026-06-01 10:02+00');
SQL
	snapshot "$work/before"
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'ALTER EXTENSION masecon UPDATE'
	snapshot "$work/after"

	if ! diff -u "$work/before" "$work/after"; then
		echo "FAIL: rows changed in the update from $from"
		status=1
	fi
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL || status=1
CREATE TEMPORARY TABLE failures (failure text);
INSERT INTO failures
SELECT 'installed version ' || extversion FROM pg_catalog.pg_extension
 WHERE extname = 'masecon' AND extversion <> '$default';
INSERT INTO failures
SELECT 'library version ' || masecon.library_version() WHERE masecon.library_version() <> '$default';
-- 1000 x 1.00 + 100 x 2.00 per 1M through the alias.
WITH new_event AS (
    INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tokens_in, tokens_out)
    VALUES ('up-b', 'up-wf-2', 'upgrade-alias', 1000, 100)
    RETURNING execution_cost_total
)
INSERT INTO failures
SELECT 'new event costs ' || execution_cost_total FROM new_event WHERE execution_cost_total <> 0.0012;
INSERT INTO failures
SELECT 'workflow not registered' WHERE NOT EXISTS (SELECT FROM masecon.workflows WHERE workflow_id = 'up-wf-2');
INSERT INTO failures
SELECT 'mas_verify: ' || what || ' ' || key FROM masecon.mas_verify();
DO \$\$
BEGIN
    IF EXISTS (SELECT FROM failures) THEN
        RAISE EXCEPTION 'upgrade checks failed'
            USING DETAIL = (SELECT pg_catalog.string_agg(f.*::text, E'\n') FROM failures AS f);
    END IF;
END
\$\$;
SQL
done
exit "$status"

#!/bin/sh
# Concurrent writers and readers: pgbench clients insert events for the
# same customers and workflows, register new workflows at the same moment,
# and contend for workflow ids across customers, while other clients read
# the views and functions.  Afterwards no event is lost or doubled, no
# client failed, no deadlock was detected, masecon.mas_verify() is empty
# and no workflow id belongs to two customers.
#
# NOTE: each statement here registers at most one new workflow.  Two
# multi-row inserts that register the same new workflows in opposite
# orders can deadlock on the registration locks, as any two inserts into
# a unique index in opposite key order can; PostgreSQL detects it and
# aborts one of them.
set -eu

db=masecon_concurrency
seconds=${MASECON_CONCURRENCY_SECONDS:-15}
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT

dropdb --if-exists "$db"
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION masecon;
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit)
SELECT 'cc-' || i, 100 FROM generate_series(1, 5) AS i;

-- Insert an event for a workflow id that several customers contend for;
-- the losers get foreign_key_violation, which pgbench would count as a
-- failed client, so it is caught here and counted.
CREATE TABLE contest_outcomes (won boolean NOT NULL);
CREATE FUNCTION contest(workflow integer, customer integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO masecon.execution_events (customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out)
    VALUES ('cx-' || customer, 'contested-' || workflow, 'agent', 'gpt-4o-mini', 500, 50);
    INSERT INTO contest_outcomes VALUES (true);
EXCEPTION WHEN foreign_key_violation THEN
    INSERT INTO contest_outcomes VALUES (false);
END
$$;
SQL

# Three events per transaction for one workflow: its first event may
# register it while another client does the same.
cat > "$work/write.sql" <<'SQL'
\set customer random(1, 5)
\set workflow random(1, 400)
\set agent random(1, 4)
INSERT INTO masecon.execution_events (customer_id, workflow_id, agent_id, model_name, tokens_in, cached_tokens_in, tokens_out, tool_cost_total)
VALUES ('cc-' || :customer, 'cc-' || :customer || '-wf-' || :workflow, 'agent-' || :agent, 'gpt-4o', 2006, 1920, 300, 0),
       ('cc-' || :customer, 'cc-' || :customer || '-wf-' || :workflow, 'agent-' || :agent, 'claude-3-5-sonnet', 2459, 2455, 23, 0.001),
       (NULL,               'cc-' || :customer || '-wf-' || :workflow, 'agent-' || :agent, 'mystery-model', 10, 0, 10, 0.002);
SQL

cat > "$work/contest.sql" <<'SQL'
\set workflow random(1, 50)
\set customer random(1, 3)
SELECT contest(:workflow, :customer);
SQL

cat > "$work/read.sql" <<'SQL'
\set customer random(1, 5)
SELECT count(*), sum(execution_cost_total) FROM masecon.execution_events WHERE customer_id = 'cc-' || :customer;
SELECT * FROM masecon.unpriced_models;
SELECT * FROM masecon.mas_health();
SELECT count(*) FROM masecon.workflows WHERE customer_id = 'cc-' || :customer;
SQL

# pgbench prints "number of transactions actually processed: N" and exits
# non-zero when a client aborted on an error.
pgbench -n -c 4 -j 2 -T "$seconds" -f "$work/write.sql" "$db" > "$work/write.out" 2>&1 &
write_pid=$!
pgbench -n -c 2 -j 1 -T "$seconds" -f "$work/contest.sql" "$db" > "$work/contest.out" 2>&1 &
contest_pid=$!
pgbench -n -c 2 -j 1 -T "$seconds" -f "$work/read.sql" "$db" > "$work/read.out" 2>&1 &
read_pid=$!

status=0
wait "$write_pid" || { echo "writers failed:"; cat "$work/write.out"; status=1; }
wait "$contest_pid" || { echo "contending writers failed:"; cat "$work/contest.out"; status=1; }
wait "$read_pid" || { echo "readers failed:"; cat "$work/read.out"; status=1; }
[ "$status" -eq 0 ] || exit 1

processed() {
	sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$1"
}
failed() {
	sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$1"
}
writes=$(processed "$work/write.out")
contests=$(processed "$work/contest.out")
reads=$(processed "$work/read.out")
echo "transactions: $writes writes of 3 events, $contests contested writes, $reads reads in ${seconds}s"
for out in write contest read; do
	if [ "$(failed "$work/$out.out")" != "0" ]; then
		echo "FAIL: $out clients had failed transactions"
		cat "$work/$out.out"
		exit 1
	fi
done

psql -X -q -v ON_ERROR_STOP=1 -v writes="$writes" -v contests="$contests" -d "$db" <<'SQL'
CREATE TEMPORARY TABLE failures (check_name text);

INSERT INTO failures
SELECT pg_catalog.format('events of the writers: %s stored, %s written', pg_catalog.count(*), 3 * :writes)
  FROM masecon.execution_events WHERE customer_id LIKE 'cc-%'
HAVING pg_catalog.count(*) <> 3 * :writes;

INSERT INTO failures
SELECT pg_catalog.format('contested events: %s stored, %s won, %s calls', e.stored, o.won, o.calls)
  FROM (SELECT pg_catalog.count(*) AS stored FROM masecon.execution_events WHERE workflow_id LIKE 'contested-%') AS e,
       (SELECT pg_catalog.count(*) FILTER (WHERE won) AS won, pg_catalog.count(*) AS calls FROM contest_outcomes) AS o
 WHERE e.stored <> o.won OR o.calls <> :contests;

INSERT INTO failures
SELECT pg_catalog.format('duplicate execution_id %s', execution_id)
  FROM masecon.execution_events GROUP BY execution_id HAVING pg_catalog.count(*) > 1;

INSERT INTO failures
SELECT pg_catalog.format('workflow %s registered for %s customers', workflow_id, pg_catalog.count(*))
  FROM masecon.workflows GROUP BY workflow_id HAVING pg_catalog.count(*) > 1;

INSERT INTO failures
SELECT pg_catalog.format('workflow %s has events of customer %s', e.workflow_id, e.customer_id)
  FROM masecon.execution_events AS e
  JOIN masecon.workflows AS w USING (workflow_id)
 WHERE w.customer_id <> e.customer_id;

INSERT INTO failures
SELECT pg_catalog.format('mas_verify: %s %s', v.what, v.key) FROM masecon.mas_verify() AS v;

INSERT INTO failures
SELECT pg_catalog.format('%s deadlocks detected', deadlocks)
  FROM pg_catalog.pg_stat_database WHERE datname = current_database() AND deadlocks > 0;

-- The sums are exact: every event of a kind has the same cost.
INSERT INTO failures
SELECT pg_catalog.format('total cost %s, expected %s', s.total, s.expected)
  FROM (SELECT pg_catalog.sum(execution_cost_total) AS total,
               :writes * (0.005615 + (0.0010935 + 0.001) + 0.002) AS expected
          FROM masecon.execution_events WHERE customer_id LIKE 'cc-%') AS s
 WHERE s.total <> s.expected;

SELECT pg_catalog.count(*) AS workflows, pg_catalog.count(*) FILTER (WHERE workflow_id LIKE 'contested-%') AS contested
  FROM masecon.workflows;
DO $$
BEGIN
    IF EXISTS (SELECT FROM failures) THEN
        RAISE EXCEPTION 'concurrency checks failed'
            USING DETAIL = (SELECT pg_catalog.string_agg(f.*::text, E'\n') FROM failures AS f);
    END IF;
END
$$;
SQL

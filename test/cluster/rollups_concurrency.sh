#!/bin/sh
# Concurrent inserts, merges, updates and deletes must leave the spend
# rollups equal to a recompute from the events.  Several pgbench clients
# insert events that merge every few rows, one client updates and deletes
# merged events, another merges explicitly; afterwards every customer's
# daily, workflow and agent figures are compared with the events.
set -eu

db=masecon_rollups_concurrency
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT

dropdb --if-exists "$db"
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION masecon;
INSERT INTO masecon.workflows (customer_id, workflow_id)
SELECT 'cust-' || c, 'wf-' || c || '-' || w FROM generate_series(1, 4) c, generate_series(1, 5) w;
INSERT INTO masecon.budget_policies (customer_id, time_zone) VALUES ('cust-2', 'Asia/Kolkata'), ('cust-3', 'America/Los_Angeles');
ALTER DATABASE masecon_rollups_concurrency SET masecon.merge_every = 25;
SQL

cat > "$work/insert.sql" <<'SQL'
\set c random(1, 4)
\set w random(1, 5)
\set a random(1, 3)
\set tin random(0, 5000)
\set tout random(0, 800)
\set minutes random(0, 4320)
INSERT INTO masecon.execution_events (customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('cust-' || :c, 'wf-' || :c || '-' || :w, 'agent-' || :a, 'gpt-4o-mini', :tin, :tout,
        '2026-06-01 00:00+00'::timestamptz + :minutes * interval '1 minute');
SQL

cat > "$work/batch.sql" <<'SQL'
\set c random(1, 4)
INSERT INTO masecon.execution_events (customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
SELECT 'cust-' || :c, 'wf-' || :c || '-1', NULL, 'claude-3-haiku', 100 * g, 10 * g,
       '2026-06-02 12:00+00'::timestamptz + g * interval '7 minutes'
  FROM generate_series(1, 20) AS g;
SQL

cat > "$work/change.sql" <<'SQL'
\set c random(1, 4)
UPDATE masecon.execution_events SET tokens_out = tokens_out + 1
 WHERE ctid = (SELECT ctid FROM masecon.execution_events WHERE customer_id = 'cust-' || :c LIMIT 1);
DELETE FROM masecon.execution_events
 WHERE ctid = (SELECT ctid FROM masecon.execution_events WHERE customer_id = 'cust-' || :c OFFSET 10 LIMIT 1);
SELECT masecon.merge_rollups();
SQL

pgbench -n -c 3 -j 3 -T 12 -f "$work/insert.sql@10" -f "$work/batch.sql@1" "$db" > "$work/insert.log" 2>&1 &
inserters=$!
pgbench -n -c 1 -j 1 -T 12 -f "$work/change.sql" "$db" > "$work/change.log" 2>&1 &
changer=$!
status=0
wait "$inserters" || status=1
wait "$changer" || status=1
if [ "$status" -ne 0 ]; then
	cat "$work/insert.log" "$work/change.log"
	echo "FAILED: a pgbench client failed"
	exit 1
fi
grep -h "number of failed transactions\|processed" "$work/insert.log" "$work/change.log" || true

differences=$(psql -X -A -t -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
WITH customers AS (SELECT DISTINCT customer_id FROM masecon.execution_events),
direct_days AS (
    SELECT e.customer_id, (e."timestamp" AT TIME ZONE masecon.customer_time_zone(e.customer_id))::date AS day,
           sum(e.execution_cost_total) AS cost, count(*) AS executions
      FROM masecon.execution_events AS e GROUP BY 1, 2),
rollup_days AS (
    SELECT c.customer_id, d.day, d.cost, d.executions
      FROM customers AS c, LATERAL masecon.daily_spend(c.customer_id, '2000-01-01', '2100-01-01') AS d),
direct_keys AS (
    SELECT e.customer_id, e.workflow_id, coalesce(e.agent_id, '') AS agent_id,
           sum(e.execution_cost_total) AS cost, count(*) AS executions
      FROM masecon.execution_events AS e GROUP BY 1, 2, 3)
SELECT 'day ' || coalesce(a.customer_id, b.customer_id) || ' ' || coalesce(a.day, b.day)
  FROM direct_days AS a FULL JOIN rollup_days AS b USING (customer_id, day)
 WHERE a.cost IS DISTINCT FROM b.cost OR a.executions IS DISTINCT FROM b.executions
UNION ALL
SELECT 'agent ' || k.customer_id || ' ' || k.workflow_id || ' ' || k.agent_id
  FROM direct_keys AS k, LATERAL masecon.key_spend(k.customer_id, k.workflow_id, k.agent_id) AS s
 WHERE s.cost IS DISTINCT FROM k.cost OR s.executions IS DISTINCT FROM k.executions
UNION ALL
SELECT 'total'
 WHERE (SELECT cost FROM masecon.window_spend(NULL, '-infinity', 'infinity'))
       IS DISTINCT FROM (SELECT sum(execution_cost_total) FROM masecon.execution_events);
SQL
)
merged=$(psql -X -A -t -d "$db" -c "SELECT merged_events FROM masecon.rollup_state")
events=$(psql -X -A -t -d "$db" -c "SELECT count(*) FROM masecon.execution_events")
echo "events: $events, merged so far: $merged"
if [ -n "$differences" ]; then
	echo "FAILED: rollups differ from the events:"
	echo "$differences"
	exit 1
fi
if [ "$merged" -eq 0 ]; then
	echo "FAILED: no merge ran during the test"
	exit 1
fi
echo "rollups match the events"

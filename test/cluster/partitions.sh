#!/bin/sh
# Monthly partitions of masecon.execution_events (masecon.partition_events
# = '1 month').  The same events go into a partitioned and a plain
# database, and every figure (prices, rollups, guardrails, pressure, views)
# must be equal in both.  They are compared before and after the merge,
# after an UPDATE that moves events between partitions, and after old
# partitions are dropped in one database and the same events deleted in
# the other.  Also checks where events land,
# that a new partition takes its rows from the DEFAULT partition, the retry
# rule, privileges and row-level security on partitions, a rejected
# setting, and that a drop waiting for its lock changes nothing.
set -eu
cd "$(dirname "$0")/../.."
# Month bounds and the UPDATE below that adds months are read in UTC.
PGTZ=UTC
export PGTZ

part=masecon_part
plain=masecon_part_plain
bad=masecon_part_bad
work=$(mktemp -d)
cleanup() {
	rm -rf "$work"
	for db in "$part" "$plain" "$bad"; do
		dropdb --if-exists "$db" >/dev/null 2>&1 || true
	done
	psql -X -q -d postgres -c 'DROP ROLE IF EXISTS masecon_part_tenant' >/dev/null 2>&1 || true
}
trap cleanup EXIT
failures=0

fail() {
	echo "not ok - $*"
	failures=$((failures + 1))
}

# Runs SQL in a database and prints its output unaligned.
run() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# Runs a query in both databases and reports whether the outputs match.
same() {
	run "$part" "$2" > "$work/part.out"
	run "$plain" "$2" > "$work/plain.out"
	if diff -u "$work/plain.out" "$work/part.out" > "$work/diff"; then
		echo "ok - $1"
	else
		fail "$1 differs between plain and partitioned"
		sed 's/^/    /' "$work/diff" | head -40
	fi
}

# mas_verify() must be empty in both databases.
verified() {
	for db in "$part" "$plain"; do
		found=$(run "$db" "SELECT count(*) FROM masecon.mas_verify()")
		if [ "$found" = 0 ]; then
			echo "ok - $1: mas_verify() empty in $db"
		else
			fail "$1: mas_verify() reports $found rows in $db"
			run "$db" "SELECT * FROM masecon.mas_verify() LIMIT 10" | sed 's/^/    /'
		fi
	done
}

# Every figure a user reads, per customer and at fixed instants.
figures() {
	same "$1: events and prices" "
SELECT execution_id, customer_id, workflow_id, agent_id, model_name, resolved_model,
       execution_cost_total, reported_cost, price_status, \"timestamp\"
  FROM masecon.execution_events ORDER BY customer_id, execution_id, \"timestamp\""
	same "$1: key_spend" "
SELECT c, (masecon.key_spend(c)).*, (masecon.key_spend(c, substr(c, 6) || '-wf-1')).*,
       (masecon.key_spend(c, substr(c, 6) || '-wf-2', 'writer')).*
  FROM unnest(ARRAY['part-a', 'part-b', 'part-c']) AS c ORDER BY 1"
	same "$1: daily_spend" "
SELECT c, d.* FROM unnest(ARRAY['part-a', 'part-b', 'part-c']) AS c,
       masecon.daily_spend(c, '2025-01-01', '2027-12-31') AS d ORDER BY 1, 2"
	same "$1: window_spend" "
SELECT c, trim_scale(w.cost), w.executions, w.tokens_in, w.tokens_out, w.unpriced_events,
       trim_scale(a.cost), a.executions, a.tokens_in, a.tokens_out, a.unpriced_events
  FROM unnest(ARRAY['part-a', 'part-b', 'part-c']) AS c,
       masecon.window_spend(c, '2026-03-31 23:50+00', '2026-05-02 00:07+00') AS w,
       masecon.window_spend(NULL, '-infinity', 'infinity') AS a
 ORDER BY 1"
	same "$1: guardrails" "
SELECT c, at, g.*
  FROM unnest(ARRAY['part-a', 'part-b', 'part-c']) AS c,
       unnest(ARRAY['2026-04-01 00:30+00', '2026-04-15 12:00+00', '2026-07-01 10:00+00']::timestamptz[]) AS at,
       masecon.mas_evaluate_guardrail(c, substr(c, 6) || '-wf-1', 'planner', 0.01, at) AS g
 ORDER BY 1, 2"
	same "$1: pressure" "
SELECT c, at, masecon.mas_pressure(c, at), f.*
  FROM unnest(ARRAY['part-a', 'part-b', 'part-c']) AS c,
       unnest(ARRAY['2026-04-01 00:30+00', '2026-04-15 12:00+00', '2026-07-01 10:00+00']::timestamptz[]) AS at,
       masecon.mas_pressure_figures(c, at) AS f
 ORDER BY 1, 2"
	same "$1: dashboard views" "
SELECT 'daily', d::text FROM masecon.daily_costs AS d
UNION ALL SELECT 'agent', a::text FROM masecon.agent_costs AS a
UNION ALL SELECT 'model', m::text FROM masecon.model_costs AS m
UNION ALL SELECT 'workflow', w::text FROM masecon.workflow_costs AS w
UNION ALL SELECT 'unpriced', u::text FROM masecon.unpriced_models AS u
UNION ALL SELECT 'summary', s::text FROM masecon.mas_cost_summary(1000) AS s
UNION ALL SELECT 'spikes', s::text FROM masecon.mas_cost_spikes(1000, 1.5) AS s
 ORDER BY 1, 2"
}

dropdb --if-exists "$part"
dropdb --if-exists "$plain"
dropdb --if-exists "$bad"
createdb "$part"
createdb "$plain"
createdb "$bad"

# A setting that is not whole days or whole months fails CREATE EXTENSION
# with an error that names it, and leaves nothing installed.
for value in '1 hour' '1 month 2 days' '-1 month' '0 days' 'weekly'; do
	if psql -X -q -v ON_ERROR_STOP=1 -d "$bad" \
		-c "SET masecon.partition_events = '$value'" -c 'CREATE EXTENSION masecon' > "$work/bad" 2>&1; then
		fail "setting '$value' accepted"
	elif grep -q "invalid value \"$value\" for masecon.partition_events" "$work/bad"; then
		echo "ok - setting '$value' rejected"
	else
		fail "setting '$value' rejected with another error"
		sed 's/^/    /' "$work/bad"
	fi
done
installed=$(run "$bad" "SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'masecon'")
[ "$installed" = 0 ] || fail "a rejected setting left masecon installed"

psql -X -q -v ON_ERROR_STOP=1 -d "$part" \
	-c "SET masecon.partition_events = '1 month'" -c 'CREATE EXTENSION masecon'
psql -X -q -v ON_ERROR_STOP=1 -d "$plain" -c 'CREATE EXTENSION masecon'

# The install makes the partitions of the current and the next month,
# outside the extension, and a plain install none.
psql -X -q -v ON_ERROR_STOP=1 -d "$part" <<'SQL'
CREATE TEMPORARY TABLE failures (failure text);
INSERT INTO failures
SELECT 'relkind ' || c.relkind::text || ', key ' || pg_catalog.pg_get_constraintdef(k.oid)
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_constraint AS k ON k.conrelid = c.oid AND k.conname = 'execution_events_pkey'
 WHERE c.oid = 'masecon.execution_events'::regclass
   AND (c.relkind <> 'p' OR pg_catalog.pg_get_constraintdef(k.oid) <> 'PRIMARY KEY (customer_id, execution_id, "timestamp")');
INSERT INTO failures
SELECT 'install made ' || pg_catalog.string_agg(p.partition::text, ', ')
  FROM masecon.event_partitions() AS p
HAVING pg_catalog.array_agg(p.low ORDER BY p.low) IS DISTINCT FROM
       ARRAY[pg_catalog.date_trunc('month', pg_catalog.now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
             (pg_catalog.date_trunc('month', pg_catalog.now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'];
INSERT INTO failures
SELECT 'partition ' || p.partition || ' is part of the extension'
  FROM masecon.event_partitions() AS p
  JOIN pg_catalog.pg_depend AS d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = p.partition
       AND d.refclassid = 'pg_catalog.pg_extension'::regclass;
INSERT INTO failures
SELECT 'period ' || masecon.event_partition_period() WHERE masecon.event_partition_period() <> interval '1 month';
DO $$
BEGIN
    IF EXISTS (SELECT FROM failures) THEN
        RAISE EXCEPTION 'partitioned install checks failed'
            USING DETAIL = (SELECT pg_catalog.string_agg(f.failure, E'\n') FROM failures AS f);
    END IF;
END
$$;
SQL
echo "ok - partitioned install: key, partitions of this and next month, not extension members"
period=$(run "$plain" "SELECT coalesce(masecon.event_partition_period()::text, 'none') || ' ' || relkind::text FROM pg_catalog.pg_class WHERE oid = 'masecon.execution_events'::regclass")
[ "$period" = "none r" ] && echo "ok - plain install: no period, plain table" || fail "plain install: $period"
if run "$plain" "SELECT masecon.mas_create_event_partitions()" > "$work/err" 2>&1; then
	fail "mas_create_event_partitions ran on a plain table"
else
	grep -q 'masecon.execution_events is not partitioned' "$work/err" \
		&& echo "ok - plain install rejects mas_create_event_partitions" \
		|| fail "plain install: $(cat "$work/err")"
fi

# Partitions for March to July 2026.  Events from December 2025 to June
# 2027: the oldest and the newest go to the DEFAULT partition.
created=$(run "$part" "SELECT pg_catalog.string_agg(p::text, ' ') FROM masecon.mas_create_event_partitions(4, '2026-03-10 00:00+00') AS p")
expected="masecon.execution_events_p20260301 masecon.execution_events_p20260401 masecon.execution_events_p20260501 masecon.execution_events_p20260601 masecon.execution_events_p20260701"
[ "$created" = "$expected" ] && echo "ok - five monthly partitions created" || fail "created: $created"
again=$(run "$part" "SELECT count(*) FROM masecon.mas_create_event_partitions(4, '2026-03-10 00:00+00')")
[ "$again" = 0 ] && echo "ok - existing partitions are not created again" || fail "created again: $again"

cat > "$work/fill.sql" <<'SQL'
\set ON_ERROR_STOP on
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone)
VALUES ('part-a', 0.50, 'Europe/Paris');
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, workflow_budget_limit, step_limit_per_agent)
VALUES ('part-b', 0.20, 1.00, 40);
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('part-model', 'acme-ai', 1.25, 5.00);

-- One event every 5 hours 17 minutes from 1 March to about 11 July 2026.
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, cached_tokens_in,
     tokens_out, tool_calls, tool_cost_total, execution_cost_total, "timestamp")
SELECT 'g-' || i,
       (ARRAY['part-a', 'part-b', 'part-c'])[1 + i % 3],
       (ARRAY['a', 'b', 'c'])[1 + i % 3] || '-wf-' || (1 + i % 5),
       (ARRAY['planner', 'writer', NULL])[1 + (i / 2) % 3],
       (ARRAY['gpt-4o', 'claude-3-haiku', 'gpt-4o-mini', 'part-model', 'mystery-model'])[1 + i % 5],
       1000 + 37 * i, (13 * i) % 800, 100 + 11 * i, i % 3, (i % 3) * 0.0015,
       CASE WHEN i % 10 = 4 THEN 0.0123 END,
       '2026-03-01 00:00+00'::timestamptz + i * interval '5 hours 17 minutes'
  FROM pg_catalog.generate_series(0, 599) AS i;

-- Events on the partition bounds, in the DEFAULT partition's past and
-- future, and a local Paris day that spans two partitions.
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('b-1', 'part-a', 'a-wf-1', 'planner', 'gpt-4o', 5000, 500, '2026-03-31 23:59:59.999999+00'),
       ('b-2', 'part-a', 'a-wf-1', 'planner', 'gpt-4o', 5000, 500, '2026-04-01 00:00:00+00'),
       ('b-3', 'part-a', 'a-wf-1', 'writer', 'gpt-4o', 5000, 500, '2026-03-31 22:30:00+00'),
       ('b-4', 'part-b', 'b-wf-1', 'planner', 'claude-3-haiku', 800, 90, '2026-07-31 23:59:59+00'),
       ('b-5', 'part-b', 'b-wf-1', 'planner', 'claude-3-haiku', 800, 90, '2026-08-01 00:00:00+00'),
       ('old-1', 'part-c', 'c-wf-old', 'planner', 'gpt-4o', 1000, 100, '2025-12-31 12:00+00'),
       ('old-2', 'part-a', 'a-wf-old', NULL, 'gpt-4o-mini', 1000, 100, '2025-12-01 00:00+00'),
       ('new-1', 'part-b', 'b-wf-new', 'planner', 'gpt-4o', 1000, 100, '2027-06-15 12:00+00'),
       ('new-2', 'part-c', 'c-wf-new', 'writer', 'part-model', 2000, 300, '2027-06-30 23:59+00');
SQL
psql -X -q -d "$part" -f "$work/fill.sql"
psql -X -q -d "$plain" -f "$work/fill.sql"

# Each event is in the partition of its UTC month, computed here without
# the extension's functions, or in the DEFAULT partition outside March to
# August 2026 and the install's two months.
misplaced=$(run "$part" "
SELECT count(*) FROM masecon.execution_events AS e
 WHERE e.tableoid::regclass::text <>
       CASE WHEN to_regclass('masecon.execution_events_p'
                             || to_char(date_trunc('month', e.\"timestamp\" AT TIME ZONE 'UTC'), 'YYYYMMDD')) IS NOT NULL
            THEN 'masecon.execution_events_p' || to_char(date_trunc('month', e.\"timestamp\" AT TIME ZONE 'UTC'), 'YYYYMMDD')
            ELSE 'masecon.execution_events_default' END")
[ "$misplaced" = 0 ] && echo "ok - every event is in its month's partition" || fail "$misplaced events misplaced"
landed=$(run "$part" "SELECT string_agg(t || '=' || n, ' ' ORDER BY t) FROM (SELECT tableoid::regclass::text AS t, count(*) AS n FROM masecon.execution_events GROUP BY 1) AS s")
expected="masecon.execution_events_default=5 masecon.execution_events_p20260301=143 masecon.execution_events_p20260401=138 masecon.execution_events_p20260501=140 masecon.execution_events_p20260601=137 masecon.execution_events_p20260701=46"
[ "$landed" = "$expected" ] && echo "ok - partition counts" || fail "partition counts: $landed"
bounds=$(run "$part" "SELECT string_agg(execution_id || '@' || replace(tableoid::regclass::text, 'masecon.execution_events_', ''), ' ' ORDER BY execution_id) FROM masecon.execution_events WHERE execution_id LIKE 'b-%'")
[ "$bounds" = "b-1@p20260301 b-2@p20260401 b-3@p20260301 b-4@p20260701 b-5@default" ] \
	&& echo "ok - events on the bounds" || fail "events on the bounds: $bounds"

figures "tail"
run "$part" "SELECT masecon.merge_rollups()" >/dev/null
run "$plain" "SELECT masecon.merge_rollups()" >/dev/null
figures "merged"
verified "merged"

# A new partition takes its month's rows from the DEFAULT partition; they
# keep every value, so the rollups stay as they are.
run "$part" "SELECT masecon.mas_create_event_partitions(0, '2027-06-01 00:00+00')" >/dev/null
moved=$(run "$part" "SELECT string_agg(execution_id || '@' || replace(tableoid::regclass::text, 'masecon.execution_events_', ''), ' ' ORDER BY execution_id) FROM masecon.execution_events WHERE execution_id LIKE 'new-%'")
[ "$moved" = "new-1@p20270601 new-2@p20270601" ] && echo "ok - rows moved out of the DEFAULT partition" || fail "moved: $moved"
figures "after the move"
verified "after the move"

# Statement triggers on the partitioned table: a reprice after a price
# change, an UPDATE that moves events to another partition, a DELETE.
cat > "$work/change.sql" <<'SQL'
\set ON_ERROR_STOP on
UPDATE masecon.model_prices SET output_usd_per_1m = 6.00 WHERE model_name = 'part-model';
SELECT masecon.mas_reprice();
UPDATE masecon.execution_events SET "timestamp" = "timestamp" + interval '2 months'
 WHERE execution_id IN ('g-100', 'g-101', 'g-102', 'g-104', 'g-109', 'b-3');
DELETE FROM masecon.execution_events WHERE execution_id IN ('g-200', 'g-201', 'old-1');
SQL
psql -X -q -d "$part" -f "$work/change.sql" >/dev/null
psql -X -q -d "$plain" -f "$work/change.sql" >/dev/null
moved=$(run "$part" "SELECT tableoid::regclass FROM masecon.execution_events WHERE execution_id = 'b-3'")
[ "$moved" = "masecon.execution_events_p20260501" ] && echo "ok - UPDATE moved an event to its new partition" || fail "b-3 is in $moved"
figures "after UPDATE and DELETE"
verified "after UPDATE and DELETE"

# Unmerged March events go into both databases.  A dropped partition
# takes them with it, so the merge never reads them.
cat > "$work/tail.sql" <<'SQL'
\set ON_ERROR_STOP on
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('t-1', 'part-a', 'a-wf-1', 'planner', 'gpt-4o', 7000, 700, '2026-03-15 08:00+00'),
       ('t-2', 'part-b', 'b-wf-2', 'writer', 'mystery-model', 10, 10, '2026-04-30 23:00+00'),
       ('t-3', 'part-c', 'c-wf-3', 'planner', 'gpt-4o', 7000, 700, '2026-05-01 00:00+00');
SQL
psql -X -q -d "$part" -f "$work/tail.sql"
psql -X -q -d "$plain" -f "$work/tail.sql"

dropped=$(run "$part" "SELECT string_agg(partition_name || '=' || events, ' ') FROM masecon.mas_drop_event_partitions('2026-05-01 00:00+00')")
[ "$dropped" = "masecon.execution_events_p20260301=138 masecon.execution_events_p20260401=137" ] \
	&& echo "ok - March and April dropped" || fail "dropped: $dropped"
run "$plain" "DELETE FROM masecon.execution_events WHERE \"timestamp\" >= '2026-03-01 00:00+00' AND \"timestamp\" < '2026-05-01 00:00+00'" >/dev/null
left=$(run "$part" "SELECT coalesce(to_regclass('masecon.execution_events_p20260301')::text, 'gone') || ' ' || coalesce(to_regclass('masecon.execution_events_p20260401')::text, 'gone') || ' ' || (SELECT count(*) FROM masecon.event_partitions())")
[ "$left" = "gone gone 6" ] && echo "ok - dropped partitions are gone" || fail "left: $left"
figures "after the drop"
verified "after the drop"
zero=$(run "$part" "SELECT (SELECT count(*) FROM masecon.spend_buckets WHERE executions = 0) + (SELECT count(*) FROM masecon.spend_days WHERE executions = 0) + (SELECT count(*) FROM masecon.spend_keys WHERE executions = 0)")
[ "$zero" = 0 ] && echo "ok - no empty rollup rows left" || fail "$zero empty rollup rows left"
run "$part" "SELECT masecon.merge_rollups()" >/dev/null
run "$plain" "SELECT masecon.merge_rollups()" >/dev/null
figures "merged after the drop"
verified "merged after the drop"
nothing=$(run "$part" "SELECT count(*) FROM masecon.mas_drop_event_partitions('2026-05-31 23:59+00')")
[ "$nothing" = 0 ] && echo "ok - a partition that ends after the cutoff stays" || fail "dropped $nothing before its end"

# A drop that waits longer than lock_timeout for its lock on the table
# fails and changes nothing.  The holder keeps its lock until the test ends
# it, and the drop starts once the lock is granted, because connecting
# takes seconds on a server under Valgrind.
PGAPPNAME=partition_lock_holder psql -X -q -d "$part" -c 'BEGIN' \
	-c 'LOCK TABLE masecon.execution_events IN ACCESS SHARE MODE' \
	-c 'SELECT pg_sleep(600)' -c 'COMMIT' >/dev/null 2>&1 &
holder=$!
tries=0
until [ "$(run "$part" "SELECT count(*) FROM pg_locks AS l JOIN pg_stat_activity AS a USING (pid) WHERE a.application_name = 'partition_lock_holder' AND l.relation = 'masecon.execution_events'::regclass AND l.granted")" = 1 ]; do
	tries=$((tries + 1))
	[ "$tries" -le 600 ] || { fail "the lock holder did not get its lock"; break; }
	sleep 0.1
done
before=$(run "$part" "SELECT (SELECT count(*) FROM masecon.event_partitions()) || ' ' || (SELECT sum(cost) FROM masecon.spend_keys)")
if psql -X -q -v ON_ERROR_STOP=1 -d "$part" -c "SET lock_timeout = '200ms'" \
	-c "SELECT * FROM masecon.mas_drop_event_partitions('2026-06-01 00:00+00')" > "$work/err" 2>&1; then
	fail "drop did not wait for the lock"
else
	grep -q 'canceling statement due to lock timeout' "$work/err" \
		&& echo "ok - drop stops at lock_timeout" || fail "drop failed otherwise: $(cat "$work/err")"
fi
run "$part" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'partition_lock_holder'" >/dev/null
wait "$holder" || true
after=$(run "$part" "SELECT (SELECT count(*) FROM masecon.event_partitions()) || ' ' || (SELECT sum(cost) FROM masecon.spend_keys)")
[ "$before" = "$after" ] && echo "ok - a timed-out drop changes nothing" || fail "timed-out drop: $before, then $after"
verified "after the timed-out drop"

# The retry rule.  The plain table recognizes a retry by execution_id; the
# partitioned one by execution_id and "timestamp".
cat > "$work/retry.sql" <<'SQL'
\set ON_ERROR_STOP on
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, "timestamp")
VALUES ('r-1', 'part-a', 'a-wf-r', 'gpt-4o', 100, '2026-06-10 10:00+00');
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, "timestamp")
VALUES ('r-1', 'part-a', 'a-wf-r', 'gpt-4o', 100, '2026-06-10 10:00+00')
ON CONFLICT ON CONSTRAINT execution_events_pkey DO NOTHING;
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, "timestamp")
VALUES ('r-1', 'part-a', 'a-wf-r', 'gpt-4o', 100, '2026-06-10 10:00:05+00')
ON CONFLICT ON CONSTRAINT execution_events_pkey DO NOTHING;
SELECT inserted FROM masecon.mas_record_usage('a-wf-r', 'writer', NULL,
       :'chat'::jsonb, customer_id => 'part-a');
SELECT inserted FROM masecon.mas_record_usage('a-wf-r', 'writer', NULL,
       :'chat'::jsonb, customer_id => 'part-a');
SELECT inserted FROM masecon.mas_record_usage('a-wf-r', 'writer', NULL,
       :'messages'::jsonb, customer_id => 'part-a',
       "timestamp" => '2026-06-10 11:00+00');
SELECT inserted FROM masecon.mas_record_usage('a-wf-r', 'writer', NULL,
       :'messages'::jsonb, customer_id => 'part-a',
       "timestamp" => '2026-06-10 11:00+00');
SELECT execution_id || ' ' || count(*) FROM masecon.execution_events
 WHERE workflow_id = 'a-wf-r' GROUP BY execution_id ORDER BY 1;
SQL
for db in "$part" "$plain"; do
	psql -X -At -q -d "$db" -v chat="$(cat examples/responses/openai_chat_completion.json)" \
		-v messages="$(cat examples/responses/anthropic_messages.json)" -f "$work/retry.sql" \
		| tr '\n' ' ' > "$work/retry.$db"
	if run "$db" "INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, \"timestamp\") VALUES ('r-1', 'part-a', 'a-wf-r', 'gpt-4o', 100, '2026-06-10 10:00+00')" > "$work/err" 2>&1; then
		fail "$db: a plain retry was stored"
	else
		grep -q 'duplicate key value violates unique constraint' "$work/err" \
			&& echo "ok - $db: a retry without ON CONFLICT raises unique_violation" || fail "$db: $(cat "$work/err")"
	fi
done
chat_id=$(sed -n 's/^ *"id": "\([^"]*\)".*/\1/p' examples/responses/openai_chat_completion.json | head -1)
messages_id=$(sed -n 's/^ *"id": "\([^"]*\)".*/\1/p' examples/responses/anthropic_messages.json | head -1)
[ "$(cat "$work/retry.$part")" = "t f t f $chat_id 1 $messages_id 1 r-1 2 " ] \
	&& echo "ok - partitioned: same timestamp skipped, another stored, responses stored once" \
	|| fail "partitioned retries: $(cat "$work/retry.$part")"
[ "$(cat "$work/retry.$plain")" = "t f t f $chat_id 1 $messages_id 1 r-1 1 " ] \
	&& echo "ok - plain: every retry skipped" \
	|| fail "plain retries: $(cat "$work/retry.$plain")"
stamp=$(run "$part" "SELECT \"timestamp\" = to_timestamp(1741570283) FROM masecon.execution_events WHERE execution_id = '$chat_id'")
[ "$stamp" = t ] && echo "ok - partitioned: a response's event takes its created time" || fail "response time: $stamp"
verified "after the retries"

# Partitions carry no privileges and no policy of their own: a tenant
# reads and writes through the parent, restricted to its customer, and
# cannot read a partition directly.
psql -X -q -d postgres -c 'DROP ROLE IF EXISTS masecon_part_tenant' -c 'CREATE ROLE masecon_part_tenant'
psql -X -q -v ON_ERROR_STOP=1 -d "$part" >/dev/null <<'SQL'
SELECT masecon.mas_grant_access('masecon_part_tenant', 'writer');
INSERT INTO masecon.tenant_roles (role, customer_id) VALUES ('masecon_part_tenant', 'part-b');
SQL
tenant=$(psql -X -At -q -v ON_ERROR_STOP=1 -d "$part" -c 'SET ROLE masecon_part_tenant' \
	-c "SELECT string_agg(DISTINCT customer_id, ',') FROM masecon.execution_events")
[ "$tenant" = "part-b" ] && echo "ok - tenant reads its own events through the parent" || fail "tenant reads: $tenant"
if psql -X -At -v ON_ERROR_STOP=1 -d "$part" -c 'SET ROLE masecon_part_tenant' \
	-c 'SELECT count(*) FROM masecon.execution_events_p20260601' > "$work/err" 2>&1; then
	fail "tenant read a partition directly: $(cat "$work/err")"
else
	grep -q 'permission denied for table execution_events_p20260601' "$work/err" \
		&& echo "ok - tenant cannot read a partition directly" || fail "tenant partition read: $(cat "$work/err")"
fi
if psql -X -At -v ON_ERROR_STOP=1 -d "$part" -c 'SET ROLE masecon_part_tenant' \
	-c "INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, \"timestamp\") VALUES ('part-a', 'a-wf-1', 'gpt-4o', '2026-06-02 00:00+00')" > "$work/err" 2>&1; then
	fail "tenant wrote another customer's event"
else
	grep -q 'violates row-level security policy' "$work/err" \
		&& echo "ok - tenant cannot write another customer's event" || fail "tenant write: $(cat "$work/err")"
fi
own=$(psql -X -At -q -v ON_ERROR_STOP=1 -d "$part" -c 'SET ROLE masecon_part_tenant' \
	-c "INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tokens_in, \"timestamp\") VALUES ('part-b', 'b-wf-1', 'gpt-4o', 1000, '2026-06-02 00:00+00') RETURNING tableoid::regclass, execution_cost_total")
[ "$own" = "masecon.execution_events_p20260601|0.0025" ] && echo "ok - tenant's own event is priced in its partition" || fail "tenant insert: $own"
psql -X -q -d "$part" -c "SELECT masecon.mas_revoke_access('masecon_part_tenant')" -c 'DELETE FROM masecon.tenant_roles' >/dev/null

if [ "$failures" -eq 0 ]; then
	echo "partitions: all checks passed"
else
	echo "partitions: $failures checks failed"
	exit 1
fi

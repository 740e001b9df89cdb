#!/bin/sh
# pg_dump and restore of a partitioned install (masecon.partition_events =
# '1 month'), the documented way: the setting and session_replication_role
# = replica for pg_restore, and a list without the partitions' indexes and
# keys, which ATTACH PARTITION creates again from the parent's.  Every row
# must come back in the same partition, and the restored database must
# price new events, make partitions and verify.
set -eu

src=masecon_part_dump_src
dst=masecon_part_dump_dst
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$src" >/dev/null 2>&1 || true; dropdb --if-exists "$dst" >/dev/null 2>&1 || true' EXIT

dropdb --if-exists "$src"
dropdb --if-exists "$dst"
createdb "$src"
PGOPTIONS='-c masecon.partition_events=1\ month' psql -X -q -v ON_ERROR_STOP=1 -d "$src" <<'SQL'
\o /dev/null
CREATE EXTENSION masecon;
SELECT masecon.mas_create_event_partitions(2, '2026-05-01 00:00+00');
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone) VALUES ('pd-a', 10, 'Asia/Tokyo');
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, execution_cost_total, "timestamp")
VALUES ('pd-1', 'pd-a', 'pd-wf-1', 'planner', 'gpt-4o', 2006, 300, NULL, '2026-05-03 10:00+00'),
       ('pd-2', 'pd-a', 'pd-wf-1', 'writer', 'claude-3-haiku', 1000, 100, NULL, '2026-06-30 23:59+00'),
       ('pd-3', 'pd-b', 'pd-wf-2', NULL, 'mystery-model', 10, 10, 0.42, '2026-07-01 00:00+00'),
       ('pd-4', 'pd-b', 'pd-wf-2', NULL, 'gpt-4o-mini', 10, 10, NULL, '2025-01-01 00:00+00'),
       ('pd-5', 'pd-b', 'pd-wf-2', NULL, 'gpt-4o', 10, 10, NULL, '2030-01-01 00:00+00');
SELECT masecon.merge_rollups();
-- One event not merged yet.
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, "timestamp")
VALUES ('pd-6', 'pd-a', 'pd-wf-1', 'gpt-4o', 5000, '2026-05-20 00:00+00');
SQL

pg_dump -Fc -d "$src" -f "$work/src.dump"
pg_restore -l "$work/src.dump" \
	| sed -E 's/^([0-9]+; [0-9]+ [0-9]+ (INDEX|CONSTRAINT|INDEX ATTACH) masecon execution_events_p[0-9]{8})/;\1/' \
	> "$work/restore.list"
createdb "$dst"
PGOPTIONS='-c masecon.partition_events=1\ month -c session_replication_role=replica' \
	pg_restore --exit-on-error -L "$work/restore.list" -d "$dst" "$work/src.dump"
echo "ok - restored with --exit-on-error"

status=0
for query in \
	"SELECT tableoid::regclass, e::text FROM masecon.execution_events AS e ORDER BY 2" \
	"SELECT w::text FROM masecon.workflows AS w ORDER BY 1" \
	"SELECT p::text FROM masecon.budget_policies AS p ORDER BY 1" \
	"SELECT * FROM masecon.event_partitions()" \
	"SELECT c.relname, pg_catalog.pg_get_indexdef(i.indexrelid)
	   FROM pg_catalog.pg_index AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.indrelid
	  WHERE c.relname LIKE 'execution_events%' ORDER BY 1, 2" \
	"SELECT tgrelid::regclass::text, tgname FROM pg_catalog.pg_trigger
	  WHERE tgrelid::regclass::text LIKE 'masecon.execution_events%' ORDER BY 1, 2"; do
	psql -X -At -d "$src" -c "$query" > "$work/src.rows"
	psql -X -At -d "$dst" -c "$query" > "$work/dst.rows"
	if diff -u "$work/src.rows" "$work/dst.rows" > "$work/rows.diff"; then
		echo "ok - $(wc -l < "$work/src.rows") rows equal: $(echo "$query" | head -1)"
	else
		echo "not ok - differs after restore: $query"
		cat "$work/rows.diff"
		status=1
	fi
done
[ "$status" -eq 0 ] || exit 1

psql -X -q -At -d "$dst" -c 'SELECT masecon.merge_rollups()' >/dev/null
psql -X -q -At -d "$src" -c 'SELECT masecon.merge_rollups()' >/dev/null
for query in \
	"SELECT count(*) FROM masecon.mas_verify()" \
	"SELECT * FROM masecon.key_spend('pd-a')" \
	"SELECT * FROM masecon.daily_spend('pd-a', '2026-01-01', '2026-12-31')" \
	"SELECT * FROM masecon.window_spend(NULL, '-infinity', 'infinity')"; do
	src_out=$(psql -X -At -d "$src" -c "$query")
	dst_out=$(psql -X -At -d "$dst" -c "$query")
	if [ "$src_out" != "$dst_out" ]; then
		echo "not ok - $query"
		echo "before: $src_out"
		echo "after:  $dst_out"
		exit 1
	fi
	echo "ok - $query"
done

psql -X -q -v ON_ERROR_STOP=1 -d "$dst" <<'SQL'
\o /dev/null
CREATE TEMPORARY TABLE failures (failure text);

-- The restored table is partitioned the same way.
INSERT INTO failures
SELECT 'period ' || coalesce(masecon.event_partition_period()::text, 'none')
 WHERE masecon.event_partition_period() IS DISTINCT FROM interval '1 month';

-- A new event is priced and lands in its restored partition:
-- 2006 x 2.50 + 300 x 10.00 per 1M.
WITH new_event AS (
    INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tokens_in, tokens_out, "timestamp")
    VALUES ('pd-a', 'pd-wf-1', 'gpt-4o', 2006, 300, '2026-06-10 10:00+00')
    RETURNING tableoid::regclass AS partition, execution_cost_total
)
INSERT INTO failures
SELECT 'new event: ' || partition || ' ' || execution_cost_total FROM new_event
 WHERE partition <> 'masecon.execution_events_p20260601'::regclass OR execution_cost_total <> 0.008015;

-- A retry with the same timestamp is skipped.
WITH retry AS (
    INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, "timestamp")
    VALUES ('pd-1', 'pd-a', 'pd-wf-1', 'gpt-4o', 2006, '2026-05-03 10:00+00')
    ON CONFLICT ON CONSTRAINT execution_events_pkey DO NOTHING
    RETURNING 1
)
INSERT INTO failures SELECT 'a retry with the same timestamp was stored' FROM retry;

-- New partitions, and the DEFAULT partition's rows of 2030 move into one.
SELECT masecon.mas_create_event_partitions(0, '2030-01-01 00:00+00');
INSERT INTO failures
SELECT 'pd-5 is in ' || tableoid::regclass FROM masecon.execution_events
 WHERE execution_id = 'pd-5' AND tableoid <> 'masecon.execution_events_p20300101'::regclass;

SELECT masecon.merge_rollups();
SELECT masecon.mas_drop_event_partitions('2026-06-01 00:00+00');
INSERT INTO failures
SELECT 'left after the drop: ' || execution_id FROM masecon.execution_events
 WHERE "timestamp" >= '2026-05-01 00:00+00' AND "timestamp" < '2026-06-01 00:00+00';
INSERT INTO failures SELECT 'mas_verify: ' || v::text FROM masecon.mas_verify() AS v;

DO $$
BEGIN
    IF EXISTS (SELECT FROM failures) THEN
        RAISE EXCEPTION 'checks after the restore failed'
            USING DETAIL = (SELECT pg_catalog.string_agg(f.failure, E'\n') FROM failures AS f);
    END IF;
END
$$;
SQL
echo "ok - the restored database prices, retries, makes and drops partitions, and verifies"

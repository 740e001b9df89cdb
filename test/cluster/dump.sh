#!/bin/sh
# pg_dump and restore keep every user row: catalog rows a user added, a
# shipped row a user edited, aliases, policies, workflows, events, tenant
# roles and the policy_id sequence.  Every table of schema masecon is
# compared row by row between the two databases.
set -eu

src=masecon_dump_src
dst=masecon_dump_dst
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$src" >/dev/null 2>&1 || true; dropdb --if-exists "$dst" >/dev/null 2>&1 || true; psql -X -q -d postgres -c "DROP ROLE IF EXISTS masecon_dump_tenant" >/dev/null 2>&1 || true' EXIT

dropdb --if-exists "$src"
dropdb --if-exists "$dst"
psql -X -q -d postgres -c 'DROP ROLE IF EXISTS masecon_dump_tenant' -c 'CREATE ROLE masecon_dump_tenant'
createdb "$src"
psql -X -q -v ON_ERROR_STOP=1 -d "$src" <<'SQL'
CREATE EXTENSION masecon;

-- Catalog: a user model, a later price of a shipped model, an edit of a
-- shipped row, a user alias and an edit of a shipped alias.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('dump-model', 'acme-ai', 1.00, 2.00);
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m, cached_input_usd_per_1m, valid_from)
VALUES ('gpt-4o', 'openai', 2.00, 8.00, 0.50, '2027-01-01 00:00+00');
INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('team-default', 'gpt-4o-mini');

-- Events at the edited price and before it (stale), priced, unpriced and
-- reported, registering their workflows.
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('d-1', 'dump-a', 'dump-wf-1', 'planner', 'claude-3-haiku', 1000, 100, '2026-06-01 10:00+00');
UPDATE masecon.model_prices SET output_usd_per_1m = 1.50 WHERE model_name = 'claude-3-haiku-20240307';
UPDATE masecon.model_aliases SET model_name = 'claude-3-5-sonnet-20240620' WHERE alias = 'claude-3-5-sonnet';
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, execution_cost_total, "timestamp")
VALUES ('d-2', 'dump-a', 'dump-wf-1', 'writer', 'claude-3-haiku', 1000, 100, NULL, '2026-06-01 10:01+00'),
       ('d-3', 'dump-a', 'dump-wf-2', 'writer', 'dump-model', 500, 50, NULL, '2027-02-01 10:00+00'),
       ('d-4', 'dump-b', 'dump-wf-3', NULL, 'mystery-model', 10, 10, 0.42, '2026-06-02 10:00+00'),
       ('d-5', 'dump-b', 'dump-wf-3', NULL, 'team-default', 10, 10, NULL, '2026-06-02 10:01+00'),
       ('d-6', 'dump-b', 'dump-wf-3', NULL, 'gpt-4o', 2006, 300, NULL, '2027-06-02 10:01+00');
INSERT INTO masecon.workflows (customer_id, workflow_id, workflow_name, task_type, created_at)
VALUES ('dump-c', 'dump-wf-4', 'nightly report', 'summarize', '2026-05-01 00:00+00');
UPDATE masecon.workflows SET workflow_name = 'support triage' WHERE workflow_id = 'dump-wf-1';

-- Policies, one of them deleted so that the sequence is ahead of the rows.
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone) VALUES ('dump-a', 10, 'Europe/Paris');
INSERT INTO masecon.budget_policies (customer_id, workflow_budget_limit) VALUES ('dump-x', 1);
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, step_limit_per_agent) VALUES ('dump-b', 5, 20);
DELETE FROM masecon.budget_policies WHERE customer_id = 'dump-x';

INSERT INTO masecon.tenant_roles (role, customer_id) VALUES ('masecon_dump_tenant', 'dump-a');
SELECT masecon.merge_rollups();
SQL

pg_dump -Fc -d "$src" -f "$work/src.dump"
createdb "$dst"
# The documented restore: triggers other than ENABLE ALWAYS ones stay
# quiet, so events keep their stored prices.
PGOPTIONS='-c session_replication_role=replica' pg_restore --exit-on-error -d "$dst" "$work/src.dump"

# Every table that pg_dump saves, which must include every table this
# test filled.  The others hold state derived from them (rollups, the
# catalog change log), which the restore rebuilds; mas_verify() below
# checks it against the restored rows.
tables=$(psql -X -At -d "$src" -c "
SELECT c.oid::regclass
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_extension AS x ON x.extname = 'masecon' AND c.oid = ANY (x.extconfig)
 WHERE c.relkind IN ('r', 'p')
 ORDER BY c.relname")
for filled in masecon.budget_policies masecon.execution_events masecon.model_aliases \
	masecon.model_prices masecon.tenant_roles masecon.workflows; do
	case " $(echo $tables) " in
	*" $filled "*) ;;
	*) echo "FAIL: pg_dump does not save $filled"; exit 1 ;;
	esac
done
derived=$(psql -X -At -d "$src" -c "
SELECT pg_catalog.string_agg(c.oid::regclass::text, ' ' ORDER BY c.relname)
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_extension AS x ON x.extname = 'masecon'
 WHERE c.relnamespace = 'masecon'::regnamespace AND c.relkind IN ('r', 'p')
   AND c.oid <> ALL (x.extconfig)")
echo "derived, not dumped: $derived"

status=0
for table in $tables; do
	query="SELECT t::text FROM $table AS t ORDER BY 1"
	psql -X -At -d "$src" -c "$query" > "$work/src.rows"
	psql -X -At -d "$dst" -c "$query" > "$work/dst.rows"
	if ! diff -u "$work/src.rows" "$work/dst.rows" > "$work/rows.diff"; then
		echo "FAIL: $table differs after restore"
		cat "$work/rows.diff"
		status=1
	else
		echo "ok: $table, $(wc -l < "$work/src.rows") rows"
	fi
done
[ "$status" -eq 0 ] || exit 1

# The figures and sequences the rows depend on, the rollups merged again
# in the restored database.
psql -X -q -At -d "$dst" -c 'SELECT masecon.merge_rollups()' >/dev/null
for query in \
	"SELECT what, key FROM masecon.mas_verify() ORDER BY 1, 2" \
	"SELECT * FROM masecon.key_spend('dump-a')" \
	"SELECT * FROM masecon.daily_spend('dump-b', '2026-01-01', '2027-12-31')" \
	"SELECT last_value, is_called FROM masecon.budget_policies_policy_id_seq" \
	"SELECT model_name, shipped FROM masecon.model_prices WHERE NOT shipped ORDER BY 1" \
	"SELECT masecon.mas_resolve_model('claude-3-5-sonnet')"; do
	src_out=$(psql -X -At -d "$src" -c "$query")
	dst_out=$(psql -X -At -d "$dst" -c "$query")
	if [ "$src_out" != "$dst_out" ]; then
		echo "FAIL: $query"
		echo "before: $src_out"
		echo "after:  $dst_out"
		exit 1
	fi
	echo "ok: $query"
done

psql -X -q -v ON_ERROR_STOP=1 -d "$dst" <<'SQL'
CREATE TEMPORARY TABLE failures (failure text);

-- The stale event keeps its price and is reported as stale.
INSERT INTO failures
SELECT 'stale event not reported'
 WHERE NOT EXISTS (SELECT FROM masecon.mas_verify() WHERE what = 'stale_price' AND key = '(dump-a,d-1)');

-- A new policy does not reuse a dumped policy_id.
WITH new_policy AS (
    INSERT INTO masecon.budget_policies (customer_id) VALUES ('dump-new') RETURNING policy_id
)
INSERT INTO failures
SELECT 'new policy_id ' || policy_id || ' reuses a dumped one' FROM new_policy WHERE policy_id <= 3;

-- A new event prices with the restored edit of a shipped row:
-- 1000 x 0.25 + 100 x 1.50 per 1M.
WITH new_event AS (
    INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tokens_in, tokens_out, "timestamp")
    VALUES ('dump-a', 'dump-wf-1', 'claude-3-haiku', 1000, 100, '2026-06-03 10:00+00')
    RETURNING execution_cost_total
)
INSERT INTO failures
SELECT 'edited shipped price not used: ' || execution_cost_total FROM new_event WHERE execution_cost_total <> 0.0004;

DO $$
BEGIN
    IF EXISTS (SELECT FROM failures) THEN
        RAISE EXCEPTION 'restore checks failed'
            USING DETAIL = (SELECT pg_catalog.string_agg(f.*::text, E'\n') FROM failures AS f);
    END IF;
END
$$;
SQL

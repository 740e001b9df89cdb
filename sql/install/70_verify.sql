-- Verification: recompute every derived figure from the events and report
-- what differs.

-- One row per statement that changed the price catalog, so that
-- masecon.mas_verify() can tell a price that went stale after an insert
-- from a stored figure that never matched.  The triggers fire in
-- session_replication_role = replica too (ENABLE ALWAYS), because a
-- restore or a logical replica changes the catalog that way.
CREATE TABLE masecon.catalog_changes (
    change_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xact_id xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    changed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    table_name text NOT NULL
);
COMMENT ON TABLE masecon.catalog_changes IS
    'statements that changed masecon.model_prices or masecon.model_aliases, with their transaction id, for masecon.mas_verify()';

CREATE FUNCTION masecon.log_catalog_change()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO masecon.catalog_changes (table_name) VALUES (TG_TABLE_NAME);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION masecon.log_catalog_change() IS
    'trigger function that records a change of the price catalog in masecon.catalog_changes';

CREATE TRIGGER model_prices_log_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON masecon.model_prices
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.log_catalog_change();
CREATE TRIGGER model_aliases_log_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON masecon.model_aliases
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.log_catalog_change();
ALTER TABLE masecon.model_prices ENABLE ALWAYS TRIGGER model_prices_log_change;
ALTER TABLE masecon.model_aliases ENABLE ALWAYS TRIGGER model_aliases_log_change;

-- The shipped rows above were inserted before these triggers existed, so
-- the catalog as installed has no change recorded.

CREATE FUNCTION masecon.mas_verify(
    OUT what text,
    OUT key text,
    OUT stored text,
    OUT recomputed text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
-- Events whose stored price differs from the current catalog's.  An event
-- written before the newest catalog change, or in the same transaction,
-- has a stale price; one written after it, or with no catalog change at
-- all, has a price the trigger never gave it.
-- NOTE: the event's xmin stands for its insert; for an event older than
-- about two billion transactions age() wraps, and such an event counts as
-- written after the change.
WITH newest_change AS (
    SELECT pg_catalog.min(pg_catalog.age(c.xact_id::xid)) AS change_age
      FROM masecon.catalog_changes AS c
),
priced AS (
    SELECT e.customer_id, e.execution_id, e.xmin AS event_xid,
           ROW(e.execution_cost_total, e.price_status, e.resolved_model) AS stored,
           ROW(p.execution_cost_total, p.price_status, p.resolved_model) AS recomputed
      FROM masecon.execution_events AS e
     CROSS JOIN LATERAL masecon.event_price(e.model_name, e."timestamp", e.tokens_in, e.tokens_out,
                                            e.cached_tokens_in, e.cache_write_tokens_in,
                                            e.tool_cost_total, e.reported_cost) AS p
     WHERE p.execution_cost_total <> e.execution_cost_total
        OR p.price_status <> e.price_status
        OR p.resolved_model IS DISTINCT FROM e.resolved_model
)
SELECT CASE WHEN pg_catalog.age(d.event_xid) >= n.change_age
            THEN 'stale_price' ELSE 'price_mismatch' END,
       ROW(d.customer_id, d.execution_id)::text,
       d.stored::text,
       d.recomputed::text
  FROM priced AS d CROSS JOIN newest_change AS n

UNION ALL

-- Events whose workflow is not registered for their customer.
SELECT 'missing_workflow',
       ROW(e.customer_id, e.execution_id)::text,
       ROW(e.customer_id, e.workflow_id)::text,
       NULL
  FROM masecon.execution_events AS e
 WHERE NOT EXISTS (SELECT
                     FROM masecon.workflows AS w
                    WHERE w.customer_id = e.customer_id
                      AND w.workflow_id = e.workflow_id)

-- NOTE: rollup tables and the guardrail signal state are derived from the
-- events too; their checks go here, one UNION ALL branch per table, when
-- those tables are added.
$$;
COMMENT ON FUNCTION masecon.mas_verify() IS
    'recomputes every derived figure from the events and returns one row per difference (stale_price, price_mismatch, missing_workflow); empty when all is well';

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

-- SECURITY DEFINER, so that a role that may edit the catalog needs no
-- privilege on the log.
CREATE FUNCTION masecon.log_catalog_change()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
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
-- has a stale price.  An event written after it, or when the catalog never
-- changed, has a price the trigger never gave it.
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

UNION ALL

-- Each rollup row against the merged events it counts: those below the
-- merge watermark, read under the same snapshot.  Rows whose figures are
-- all zero are left by events that were deleted, and count as absent.
SELECT 'rollup_mismatch',
       ROW('spend_keys', COALESCE(k.customer_id, r.customer_id), COALESCE(k.workflow_id, r.workflow_id),
           COALESCE(k.agent_id, r.agent_id), COALESCE(k.model_name, r.model_name))::text,
       ROW(k.cost, k.executions, k.tokens_in, k.tokens_out)::text,
       ROW(r.cost, r.executions, r.tokens_in, r.tokens_out)::text
  FROM (SELECT * FROM masecon.spend_keys AS k
         WHERE k.executions <> 0 OR k.cost <> 0 OR k.tokens_in <> 0 OR k.tokens_out <> 0) AS k
  FULL JOIN (SELECT e.customer_id, e.workflow_id, COALESCE(e.agent_id, '') AS agent_id, e.model_name,
                    pg_catalog.sum(e.execution_cost_total) AS cost, pg_catalog.count(*) AS executions,
                    pg_catalog.sum(e.tokens_in) AS tokens_in, pg_catalog.sum(e.tokens_out) AS tokens_out
               FROM masecon.execution_events AS e
              WHERE e.ingest_xid < masecon.rollup_watermark()
              GROUP BY 1, 2, 3, 4) AS r
    ON r.customer_id = k.customer_id AND r.workflow_id = k.workflow_id
   AND r.agent_id = k.agent_id AND r.model_name = k.model_name
 WHERE ROW(k.cost, k.executions, k.tokens_in, k.tokens_out)
       IS DISTINCT FROM ROW(r.cost, r.executions, r.tokens_in, r.tokens_out)

UNION ALL

SELECT 'rollup_mismatch',
       ROW('spend_buckets', COALESCE(b.customer_id, r.customer_id), COALESCE(b.bucket, r.bucket))::text,
       ROW(b.cost, b.executions, b.tokens_in, b.tokens_out, b.unpriced_events)::text,
       ROW(r.cost, r.executions, r.tokens_in, r.tokens_out, r.unpriced_events)::text
  FROM (SELECT * FROM masecon.spend_buckets AS b
         WHERE b.executions <> 0 OR b.cost <> 0 OR b.tokens_in <> 0 OR b.tokens_out <> 0
            OR b.unpriced_events <> 0) AS b
  FULL JOIN (SELECT e.customer_id, masecon.spend_bucket(e."timestamp") AS bucket,
                    pg_catalog.sum(e.execution_cost_total) AS cost, pg_catalog.count(*) AS executions,
                    pg_catalog.sum(e.tokens_in) AS tokens_in, pg_catalog.sum(e.tokens_out) AS tokens_out,
                    pg_catalog.count(*) FILTER (WHERE e.price_status = 'unpriced') AS unpriced_events
               FROM masecon.execution_events AS e
              WHERE e.ingest_xid < masecon.rollup_watermark()
              GROUP BY 1, 2) AS r
    ON r.customer_id = b.customer_id AND r.bucket = b.bucket
 WHERE ROW(b.cost, b.executions, b.tokens_in, b.tokens_out, b.unpriced_events)
       IS DISTINCT FROM ROW(r.cost, r.executions, r.tokens_in, r.tokens_out, r.unpriced_events)

UNION ALL

SELECT 'rollup_mismatch',
       ROW('spend_days', COALESCE(d.customer_id, r.customer_id), COALESCE(d.day, r.day))::text,
       ROW(d.cost, d.executions, d.tokens_in, d.tokens_out, d.unpriced_events)::text,
       ROW(r.cost, r.executions, r.tokens_in, r.tokens_out, r.unpriced_events)::text
  FROM (SELECT * FROM masecon.spend_days AS d
         WHERE d.executions <> 0 OR d.cost <> 0 OR d.tokens_in <> 0 OR d.tokens_out <> 0
            OR d.unpriced_events <> 0) AS d
  FULL JOIN (SELECT e.customer_id,
                    (e."timestamp" AT TIME ZONE COALESCE(p.time_zone, 'UTC'))::date AS day,
                    pg_catalog.sum(e.execution_cost_total) AS cost, pg_catalog.count(*) AS executions,
                    pg_catalog.sum(e.tokens_in) AS tokens_in, pg_catalog.sum(e.tokens_out) AS tokens_out,
                    pg_catalog.count(*) FILTER (WHERE e.price_status = 'unpriced') AS unpriced_events
               FROM masecon.execution_events AS e
               LEFT JOIN masecon.budget_policies AS p ON p.customer_id = e.customer_id
              WHERE e.ingest_xid < masecon.rollup_watermark()
              GROUP BY 1, 2) AS r
    ON r.customer_id = d.customer_id AND r.day = d.day
 WHERE ROW(d.cost, d.executions, d.tokens_in, d.tokens_out, d.unpriced_events)
       IS DISTINCT FROM ROW(r.cost, r.executions, r.tokens_in, r.tokens_out, r.unpriced_events)

-- NOTE: the guardrail signal state is derived from the events too; its
-- check goes here, as one more UNION ALL branch, when that table exists.
$$;
COMMENT ON FUNCTION masecon.mas_verify() IS
    'recomputes every derived figure from the events and returns one row per difference (stale_price, price_mismatch, missing_workflow, rollup_mismatch); empty when all is well';

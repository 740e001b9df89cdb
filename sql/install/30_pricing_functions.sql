-- Pricing functions: name resolution, one-off pricing, repricing, the
-- simulator and the health check.
--
-- The C functions that read the catalog are PARALLEL UNSAFE: a backend
-- whose catalog cache is cold loads it through SPI, which PostgreSQL
-- rejects while a parallel query runs.

CREATE FUNCTION masecon.mas_resolve_model(model_name text)
RETURNS text
LANGUAGE c STABLE STRICT PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'masecon_resolve_model_sql';
COMMENT ON FUNCTION masecon.mas_resolve_model(text) IS
    'catalog model a producer''s model name prices as (exact name, alias, lower case, no provider prefix, no version or date suffix), or NULL';

CREATE FUNCTION masecon.event_price(
    model_name text,
    at timestamptz,
    tokens_in bigint,
    tokens_out bigint,
    cached_tokens_in bigint DEFAULT 0,
    cache_write_tokens_in bigint DEFAULT 0,
    tool_cost_total numeric DEFAULT 0,
    reported_cost numeric DEFAULT NULL,
    OUT execution_cost_total numeric,
    OUT price_status masecon.price_status,
    OUT resolved_model text)
RETURNS record
LANGUAGE c STABLE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'masecon_event_price';
COMMENT ON FUNCTION masecon.event_price(text, timestamptz, bigint, bigint, bigint, bigint, numeric, numeric) IS
    'cost, price status and resolved model the pricing trigger would give an event with these values';

CREATE FUNCTION masecon.mas_reprice(since timestamptz DEFAULT '-infinity')
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed bigint;
BEGIN
    -- The pricing trigger recomputes each updated row; only rows whose
    -- stored price differs from the current catalog are touched.
    UPDATE masecon.execution_events AS e
       SET price_status = e.price_status
     WHERE e."timestamp" >= since
       AND NOT EXISTS (
           SELECT
             FROM masecon.event_price(e.model_name, e."timestamp", e.tokens_in, e.tokens_out,
                                      e.cached_tokens_in, e.cache_write_tokens_in,
                                      e.tool_cost_total, e.reported_cost) AS p
            WHERE p.execution_cost_total = e.execution_cost_total
              AND p.price_status = e.price_status
              AND p.resolved_model IS NOT DISTINCT FROM e.resolved_model);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END
$$;
COMMENT ON FUNCTION masecon.mas_reprice(timestamptz) IS
    'reprices stored events at or after since with the current catalog and returns how many changed';

CREATE FUNCTION masecon.mas_workflow_cost(
    agents integer,
    steps_per_agent integer,
    tokens_in_per_step bigint,
    tokens_out_per_step bigint,
    model text,
    tool_calls_per_step integer DEFAULT 0,
    tool_cost_per_call numeric DEFAULT 0,
    runs_per_day integer DEFAULT 1)
RETURNS masecon.workflow_cost
LANGUAGE c STABLE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'masecon_workflow_cost';
COMMENT ON FUNCTION masecon.mas_workflow_cost(integer, integer, bigint, bigint, text, integer, numeric, integer) IS
    'cost of a workflow before it runs, input and output tokens priced apart at the catalog price valid now';

CREATE FUNCTION masecon.mas_workflow_cost(
    agents integer,
    steps_per_agent integer,
    tokens_per_step bigint,
    model text,
    tool_calls_per_step integer DEFAULT 0,
    tool_cost_per_call numeric DEFAULT 0,
    runs_per_day integer DEFAULT 1)
RETURNS masecon.workflow_cost
LANGUAGE c STABLE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'masecon_workflow_cost_mean';
COMMENT ON FUNCTION masecon.mas_workflow_cost(integer, integer, bigint, text, integer, numeric, integer) IS
    'cost of a workflow before it runs, each step''s tokens priced at the mean of the model''s input and output price';

CREATE FUNCTION masecon.library_version()
RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'masecon_library_version';
COMMENT ON FUNCTION masecon.library_version() IS
    'version of the loaded masecon shared library';

CREATE VIEW masecon.unpriced_models AS
SELECT e.model_name,
       pg_catalog.count(*) AS events,
       pg_catalog.min(e."timestamp") AS first_seen,
       pg_catalog.max(e."timestamp") AS last_seen
  FROM masecon.execution_events AS e
 WHERE e.price_status = 'unpriced'
 GROUP BY e.model_name;
COMMENT ON VIEW masecon.unpriced_models IS
    'models of stored events that have no catalog price; fix the catalog, then run masecon.mas_reprice()';

CREATE FUNCTION masecon.mas_health(
    OUT version text,
    OUT library_version text,
    OUT events bigint,
    OUT newest_event timestamptz,
    OUT unpriced_events bigint,
    OUT reported_events bigint,
    OUT unpriced_models bigint,
    OUT catalog_models bigint,
    OUT workflows bigint,
    OUT policies bigint,
    OUT unknown_model text)
RETURNS record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT (SELECT x.extversion FROM pg_catalog.pg_extension AS x WHERE x.extname = 'masecon'),
       masecon.library_version(),
       (SELECT pg_catalog.count(*) FROM masecon.execution_events),
       (SELECT pg_catalog.max(e."timestamp") FROM masecon.execution_events AS e),
       (SELECT pg_catalog.count(*) FROM masecon.execution_events AS e WHERE e.price_status = 'unpriced'),
       (SELECT pg_catalog.count(*) FROM masecon.execution_events AS e WHERE e.price_status = 'reported'),
       (SELECT pg_catalog.count(DISTINCT e.model_name) FROM masecon.execution_events AS e WHERE e.price_status = 'unpriced'),
       (SELECT pg_catalog.count(DISTINCT p.model_name) FROM masecon.model_prices AS p),
       (SELECT pg_catalog.count(*) FROM masecon.workflows),
       (SELECT pg_catalog.count(*) FROM masecon.budget_policies),
       pg_catalog.current_setting('masecon.unknown_model', true)
$$;
COMMENT ON FUNCTION masecon.mas_health() IS
    'what an operator checks first: installed and loaded versions, event counts, the newest event, unpriced spend';

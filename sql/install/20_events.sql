-- Workflows, execution events and budget policies.
--
-- Every primary key and unique constraint of a tenant table includes
-- customer_id, so the tables can be distributed by customer_id on Citus.

CREATE TABLE masecon.workflows (
    customer_id text NOT NULL CHECK (customer_id <> ''),
    workflow_id text NOT NULL CHECK (workflow_id <> ''),
    workflow_name text,
    task_type text,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (customer_id, workflow_id)
);
CREATE INDEX workflows_workflow_id_idx ON masecon.workflows (workflow_id);
COMMENT ON TABLE masecon.workflows IS
    'one run of a multi-agent workflow; an event for an unknown workflow registers it';

-- The setting masecon.partition_events, read here, decides the shape of the
-- events table.  'off', the default, makes a plain table whose key is
-- (customer_id, execution_id).  An interval of whole days or whole months
-- makes a table partitioned by range of "timestamp" with partitions of
-- that period (see 74_partitions.sql).  PostgreSQL requires every unique
-- constraint of a partitioned table to include the partition key, so the
-- key then is (customer_id, execution_id, "timestamp"), and a retry is
-- recognized only when it sends the same "timestamp".  The DEFAULT
-- partition takes every event outside the partitions, so no event is
-- rejected for its time.
DO $install$
DECLARE
    setting text := pg_catalog.lower(pg_catalog.btrim(
        coalesce(pg_catalog.current_setting('masecon.partition_events', true), 'off')));
    period interval;
    months integer;
    days integer;
BEGIN
    IF setting NOT IN ('off', '') THEN
        BEGIN
            period := setting::interval;
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow
                       OR interval_field_overflow THEN
            period := NULL;
        END;
        months := pg_catalog.date_part('year', period) * 12 + pg_catalog.date_part('month', period);
        days := pg_catalog.date_part('day', period);
        IF period IS NULL
           OR period <> pg_catalog.make_interval(months => months, days => days)
           OR NOT ((months > 0 AND days = 0) OR (months = 0 AND days > 0)) THEN
            RAISE EXCEPTION 'invalid value "%" for masecon.partition_events', setting
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Use off, or a positive number of whole days or whole months such as ''1 month'' or ''7 days''.';
        END IF;
    END IF;

    EXECUTE pg_catalog.format($sql$
CREATE TABLE masecon.execution_events (
%s    CONSTRAINT execution_events_pkey PRIMARY KEY (%s)
)%s
$sql$,
        $columns$
    execution_id text NOT NULL DEFAULT (pg_catalog.gen_random_uuid())::text,
    customer_id text NOT NULL,
    workflow_id text NOT NULL,
    agent_id text,
    reservation_id text,
    model_name text NOT NULL,
    resolved_model text,
    tokens_in bigint NOT NULL DEFAULT 0,
    tokens_out bigint NOT NULL DEFAULT 0,
    cached_tokens_in bigint NOT NULL DEFAULT 0,
    cache_write_tokens_in bigint NOT NULL DEFAULT 0,
    tool_calls integer NOT NULL DEFAULT 0,
    tool_cost_total numeric NOT NULL DEFAULT 0,
    reported_cost numeric,
    execution_cost_total numeric NOT NULL,
    price_status masecon.price_status NOT NULL,
    latency_ms integer,
    confidence_score double precision,
    "timestamp" timestamptz NOT NULL DEFAULT pg_catalog.now(),
    ingest_xid bigint NOT NULL DEFAULT 0,
$columns$,
        CASE WHEN period IS NULL THEN 'customer_id, execution_id'
             ELSE 'customer_id, execution_id, "timestamp"' END,
        CASE WHEN period IS NULL THEN ''
             ELSE ' PARTITION BY RANGE ("timestamp")' END);

    EXECUTE pg_catalog.format($sql$
CREATE FUNCTION masecon.event_partition_period()
RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $body$ SELECT %s::pg_catalog.interval $body$
$sql$, coalesce(pg_catalog.quote_literal(period::text), 'NULL'));

    IF period IS NOT NULL THEN
        CREATE TABLE masecon.execution_events_default
            PARTITION OF masecon.execution_events DEFAULT;
        COMMENT ON TABLE masecon.execution_events_default IS
            'events outside every period partition of masecon.execution_events';
        -- pg_dump saves the partitions that masecon.mas_create_event_partitions
        -- makes, because they are not part of the extension.  This one is,
        -- so pg_dump saves its rows only because of this call.
        PERFORM pg_catalog.pg_extension_config_dump('masecon.execution_events_default', '');
    END IF;
END
$install$;
COMMENT ON FUNCTION masecon.event_partition_period() IS
    'period of the partitions of masecon.execution_events, set by masecon.partition_events at CREATE EXTENSION; NULL when the table is not partitioned';
COMMENT ON TABLE masecon.execution_events IS
    'one agent step; the pricing trigger fills customer_id, resolved_model, execution_cost_total and price_status';
COMMENT ON COLUMN masecon.execution_events.execution_id IS
    'producer''s id of the step, unique per customer; a retried insert of the same id raises unique_violation, or is skipped with ON CONFLICT DO NOTHING.  When the table is partitioned (masecon.partition_events), the key includes "timestamp", and only a retry that sends the same "timestamp" is recognized';
COMMENT ON COLUMN masecon.execution_events.customer_id IS
    'filled from the workflow when omitted; registers an unknown workflow when given';
COMMENT ON COLUMN masecon.execution_events.resolved_model IS
    'catalog model that priced the event, after alias and spelling rules; NULL when unpriced';
COMMENT ON COLUMN masecon.execution_events.tokens_in IS
    'all input tokens, cached and cache-write tokens included (OpenAI''s convention)';
COMMENT ON COLUMN masecon.execution_events.cached_tokens_in IS
    'input tokens read from the prompt cache, part of tokens_in';
COMMENT ON COLUMN masecon.execution_events.cache_write_tokens_in IS
    'input tokens written to the prompt cache, part of tokens_in';
COMMENT ON COLUMN masecon.execution_events.reported_cost IS
    'execution_cost_total as the producer sent it, kept for audit; it is the cost of events whose model is not in the catalog';
COMMENT ON COLUMN masecon.execution_events.ingest_xid IS
    'id of the top-level transaction that inserted the event, set by the pricing trigger; the rollup merge reads events by it';
COMMENT ON COLUMN masecon.execution_events.execution_cost_total IS
    'token cost at the catalog price valid at "timestamp", plus tool_cost_total; computed on insert and update';
COMMENT ON COLUMN masecon.execution_events.reservation_id IS
    'reservation of the same customer from masecon.mas_reserve that this step settles; an unknown id settles nothing';

CREATE INDEX execution_events_customer_time_idx
    ON masecon.execution_events (customer_id, "timestamp");
CREATE INDEX execution_events_workflow_idx
    ON masecon.execution_events (customer_id, workflow_id, agent_id);
CREATE INDEX execution_events_reservation_idx
    ON masecon.execution_events (customer_id, reservation_id)
    WHERE reservation_id IS NOT NULL;
-- Unpriced events are rare; these partial indexes let the guardrails name
-- the unpriced models of a day or a workflow without reading its events.
CREATE INDEX execution_events_unpriced_day_idx
    ON masecon.execution_events (customer_id, "timestamp") INCLUDE (model_name)
    WHERE price_status = 'unpriced';
CREATE INDEX execution_events_unpriced_workflow_idx
    ON masecon.execution_events (customer_id, workflow_id) INCLUDE (model_name)
    WHERE price_status = 'unpriced';

CREATE FUNCTION masecon.price_event()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'masecon_price_event';
COMMENT ON FUNCTION masecon.price_event() IS
    'trigger function that checks and prices an execution event before it is stored';

CREATE TRIGGER execution_events_price
    BEFORE INSERT OR UPDATE ON masecon.execution_events
    FOR EACH ROW EXECUTE FUNCTION masecon.price_event();

-- The pricing trigger caches which customer owns a workflow; changes other
-- than inserts make every session drop that cache.
CREATE FUNCTION masecon.invalidate_workflow_cache()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'masecon_invalidate_workflow_cache';
COMMENT ON FUNCTION masecon.invalidate_workflow_cache() IS
    'trigger function that makes every backend drop its cached workflow owners';

CREATE TRIGGER workflows_invalidate
    AFTER UPDATE OR DELETE OR TRUNCATE ON masecon.workflows
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.invalidate_workflow_cache();

CREATE TABLE masecon.budget_policies (
    policy_id bigint GENERATED BY DEFAULT AS IDENTITY,
    customer_id text NOT NULL CHECK (customer_id <> ''),
    daily_budget_limit numeric CHECK (daily_budget_limit >= 0),
    workflow_budget_limit numeric CHECK (workflow_budget_limit >= 0),
    step_limit_per_agent integer CHECK (step_limit_per_agent >= 0),
    time_zone text NOT NULL DEFAULT 'UTC',
    warn_threshold numeric NOT NULL DEFAULT 0.8 CHECK (warn_threshold > 0 AND warn_threshold <= 1),
    amber_threshold numeric NOT NULL DEFAULT 0.7 CHECK (amber_threshold > 0 AND amber_threshold <= 1),
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (customer_id)
);
COMMENT ON TABLE masecon.budget_policies IS
    'one budget policy per customer; a NULL limit means no limit';
COMMENT ON COLUMN masecon.budget_policies.time_zone IS
    'IANA time zone whose calendar day is the budget day';
COMMENT ON COLUMN masecon.budget_policies.warn_threshold IS
    'share of daily_budget_limit above which the guardrail signal is WARN';
COMMENT ON COLUMN masecon.budget_policies.amber_threshold IS
    'share of daily_budget_limit above which the forecast pressure is AMBER';

SELECT pg_catalog.pg_extension_config_dump('masecon.workflows', '');
SELECT pg_catalog.pg_extension_config_dump('masecon.execution_events', '');
SELECT pg_catalog.pg_extension_config_dump('masecon.budget_policies', '');

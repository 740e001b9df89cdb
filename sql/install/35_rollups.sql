-- Spend rollups, maintained off the insert path.
--
-- Guardrails and dashboards need sums over a customer's day or workflow that
-- must not grow with history.  Updating a rollup row for every inserted
-- event costs about half of single-row ingest and serializes writers on hot
-- rows, so inserts write nothing but the event.  The pricing trigger stamps
-- each event with ingest_xid, the 64-bit id of the top-level transaction
-- that inserted it, and masecon.merge_rollups() folds events into the
-- rollups later.
--
-- masecon.rollup_state.merged_below is the merge watermark.  A merge takes
-- the xmin of a fresh snapshot: every transaction with a smaller id has
-- ended, so the committed events with ingest_xid below it are final.  It
-- adds those events to the rollups and advances the watermark, both in one
-- transaction.  A reader therefore gets an exact figure from one query that
-- reads the watermark, the rollups and the events at or above the watermark
-- (the tail) under a single snapshot.

CREATE TABLE masecon.rollup_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    merged_below bigint NOT NULL,
    merged_at timestamptz,
    merged_events bigint NOT NULL DEFAULT 0
);
COMMENT ON TABLE masecon.rollup_state IS
    'merge watermark: every committed event with ingest_xid below merged_below is counted in the rollups';
INSERT INTO masecon.rollup_state (merged_below) VALUES (0);

-- Spend per customer and 15-minute UTC bucket.  Every time zone in use today
-- is a whole number of quarter hours from UTC, so a local day is a whole
-- number of buckets.
--
-- Every merge updates rollup rows in place.  Half-empty pages leave room for
-- the new row versions on the same page, so that the updates are HOT and add
-- nothing to the primary key indexes.
CREATE TABLE masecon.spend_buckets (
    customer_id text NOT NULL,
    bucket timestamptz NOT NULL,
    cost numeric NOT NULL,
    executions bigint NOT NULL,
    tokens_in numeric NOT NULL,
    tokens_out numeric NOT NULL,
    unpriced_events bigint NOT NULL,
    PRIMARY KEY (customer_id, bucket)
) WITH (fillfactor = 50);
COMMENT ON TABLE masecon.spend_buckets IS
    'merged spend per customer and 15-minute UTC bucket (see masecon.rollup_state)';

-- Spend per customer and calendar day in the customer's policy time zone
-- (UTC without a policy).  A policy change rebuilds the customer's days
-- from spend_buckets.
CREATE TABLE masecon.spend_days (
    customer_id text NOT NULL,
    day date NOT NULL,
    cost numeric NOT NULL,
    executions bigint NOT NULL,
    tokens_in numeric NOT NULL,
    tokens_out numeric NOT NULL,
    unpriced_events bigint NOT NULL,
    PRIMARY KEY (customer_id, day)
) WITH (fillfactor = 50);
COMMENT ON TABLE masecon.spend_days IS
    'merged spend per customer and local day of the customer''s policy time zone (see masecon.rollup_state)';

-- Spend per customer, workflow, agent and model.  agent_id is '' for events
-- without an agent, a value events themselves cannot carry.
CREATE TABLE masecon.spend_keys (
    customer_id text NOT NULL,
    workflow_id text NOT NULL,
    agent_id text NOT NULL,
    model_name text NOT NULL,
    cost numeric NOT NULL,
    executions bigint NOT NULL,
    tokens_in numeric NOT NULL,
    tokens_out numeric NOT NULL,
    PRIMARY KEY (customer_id, workflow_id, agent_id, model_name)
) WITH (fillfactor = 50);
COMMENT ON TABLE masecon.spend_keys IS
    'merged spend per customer, workflow, agent and model (see masecon.rollup_state)';

-- A B-tree, not BRIN: BRIN leaves the newest pages unsummarized until a
-- vacuum, and a tail scan would then read every one of them.  Appending a
-- growing key goes to the rightmost leaf, which keeps the insert cheap.
CREATE INDEX execution_events_ingest_xid_idx
    ON masecon.execution_events (ingest_xid);
-- The readers of one customer find its tail through this index.  They
-- filter on nothing but customer_id and ingest_xid inside a materialized
-- CTE, so the planner cannot prefer an index on other columns and then
-- test every one of the customer's events against the watermark.
CREATE INDEX execution_events_customer_ingest_xid_idx
    ON masecon.execution_events (customer_id, ingest_xid);

-- Start of the 15-minute UTC bucket that contains ts.
CREATE FUNCTION masecon.spend_bucket(ts timestamptz)
RETURNS timestamptz
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'masecon_spend_bucket';
COMMENT ON FUNCTION masecon.spend_bucket(timestamptz) IS
    'start of the 15-minute UTC bucket that contains the instant';

-- Time zone whose calendar day is the customer's budget day.
CREATE FUNCTION masecon.customer_time_zone(customer_id text)
RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce((SELECT p.time_zone FROM masecon.budget_policies AS p
                  WHERE p.customer_id = customer_time_zone.customer_id), 'UTC')
$$;
COMMENT ON FUNCTION masecon.customer_time_zone(text) IS
    'time zone of the customer''s budget day: the policy''s time_zone, or UTC without a policy';

-- The merge watermark, as a function so that the planner evaluates it when
-- it estimates a tail scan and picks the index on ingest_xid.
CREATE FUNCTION masecon.rollup_watermark()
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT s.merged_below FROM masecon.rollup_state AS s $$;
COMMENT ON FUNCTION masecon.rollup_watermark() IS
    'ingest_xid below which every committed event is counted in the spend rollups';

/*
 * Returns one statement that adds (sign 1) or subtracts (sign -1) the events
 * of the given query to the three rollups and yields how many events it
 * counted.  The query yields customer_id, workflow_id, agent_id ('' for
 * none), model_name, "timestamp", cost, tokens_in, tokens_out and unpriced.
 * Days are summed from the batch's buckets, not from its events: a local
 * day is a whole number of buckets.  A rollup row whose executions drop to
 * zero stays, and readers skip it.
 */
CREATE FUNCTION masecon.rollup_delta_sql(source text, sign integer)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT pg_catalog.format($sql$
    WITH batch AS MATERIALIZED (%2$s),
    buckets AS MATERIALIZED (
        SELECT b.customer_id, masecon.spend_bucket(b."timestamp") AS bucket,
               pg_catalog.sum(b.cost) AS cost, pg_catalog.count(*) AS executions,
               pg_catalog.sum(b.tokens_in) AS tokens_in, pg_catalog.sum(b.tokens_out) AS tokens_out,
               pg_catalog.count(*) FILTER (WHERE b.unpriced) AS unpriced_events
          FROM batch AS b
         GROUP BY 1, 2),
    by_bucket AS (
        INSERT INTO masecon.spend_buckets AS r
               (customer_id, bucket, cost, executions, tokens_in, tokens_out, unpriced_events)
        SELECT k.customer_id, k.bucket, %1$s * k.cost, %1$s * k.executions,
               %1$s * k.tokens_in, %1$s * k.tokens_out, %1$s * k.unpriced_events
          FROM buckets AS k
        ON CONFLICT (customer_id, bucket) DO UPDATE
           SET cost = r.cost + excluded.cost,
               executions = r.executions + excluded.executions,
               tokens_in = r.tokens_in + excluded.tokens_in,
               tokens_out = r.tokens_out + excluded.tokens_out,
               unpriced_events = r.unpriced_events + excluded.unpriced_events
        RETURNING 1),
    by_day AS (
        INSERT INTO masecon.spend_days AS r
               (customer_id, day, cost, executions, tokens_in, tokens_out, unpriced_events)
        SELECT k.customer_id,
               (k.bucket AT TIME ZONE coalesce(p.time_zone, 'UTC'))::date,
               %1$s * pg_catalog.sum(k.cost), %1$s * pg_catalog.sum(k.executions),
               %1$s * pg_catalog.sum(k.tokens_in), %1$s * pg_catalog.sum(k.tokens_out),
               %1$s * pg_catalog.sum(k.unpriced_events)
          FROM buckets AS k
          LEFT JOIN masecon.budget_policies AS p ON p.customer_id = k.customer_id
         GROUP BY 1, 2
        ON CONFLICT (customer_id, day) DO UPDATE
           SET cost = r.cost + excluded.cost,
               executions = r.executions + excluded.executions,
               tokens_in = r.tokens_in + excluded.tokens_in,
               tokens_out = r.tokens_out + excluded.tokens_out,
               unpriced_events = r.unpriced_events + excluded.unpriced_events
        RETURNING 1),
    by_key AS (
        INSERT INTO masecon.spend_keys AS r
               (customer_id, workflow_id, agent_id, model_name, cost, executions, tokens_in, tokens_out)
        SELECT b.customer_id, b.workflow_id, b.agent_id, b.model_name,
               %1$s * pg_catalog.sum(b.cost), %1$s * pg_catalog.count(*),
               %1$s * pg_catalog.sum(b.tokens_in), %1$s * pg_catalog.sum(b.tokens_out)
          FROM batch AS b
         GROUP BY 1, 2, 3, 4
        ON CONFLICT (customer_id, workflow_id, agent_id, model_name) DO UPDATE
           SET cost = r.cost + excluded.cost,
               executions = r.executions + excluded.executions,
               tokens_in = r.tokens_in + excluded.tokens_in,
               tokens_out = r.tokens_out + excluded.tokens_out
        RETURNING 1)
    SELECT coalesce(pg_catalog.sum(k.executions), 0)::bigint FROM buckets AS k
$sql$, sign, source)
$$;
COMMENT ON FUNCTION masecon.rollup_delta_sql(text, integer) IS
    'statement that adds or subtracts a batch of events to the spend rollups';

/*
 * Fold the events that have become final into the rollups.  With wait
 * false, returns NULL at once when another transaction holds the merge;
 * otherwise waits for it.  Returns how many events were merged.
 */
CREATE FUNCTION masecon.merge_rollups(wait boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- A bulk load leaves a long tail.  With the default work_mem of 4MB, the
-- merge of 200,000 events sorted them on disk three times instead of hashing.
SET work_mem = '64MB'
AS $$
DECLARE
    low bigint;
    high bigint;
    merged bigint;
BEGIN
    IF wait THEN
        SELECT s.merged_below INTO low FROM masecon.rollup_state AS s FOR UPDATE;
    ELSE
        SELECT s.merged_below INTO low FROM masecon.rollup_state AS s FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
    END IF;

    -- Every transaction below the xmin of a snapshot taken now has ended.
    high := pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text::bigint;
    IF high <= low THEN
        RETURN 0;
    END IF;

    EXECUTE masecon.rollup_delta_sql(pg_catalog.format($sql$
        SELECT e.customer_id, e.workflow_id, coalesce(e.agent_id, '') AS agent_id,
               e.model_name, e."timestamp", e.execution_cost_total AS cost,
               e.tokens_in, e.tokens_out, e.price_status = 'unpriced' AS unpriced
          FROM masecon.execution_events AS e
         WHERE e.ingest_xid >= %s AND e.ingest_xid < %s
    $sql$, low, high), 1) INTO merged;

    UPDATE masecon.rollup_state
       SET merged_below = high,
           merged_at = pg_catalog.now(),
           merged_events = merged_events + merged;

    -- The readers find the tail through the indexes on ingest_xid only when
    -- the planner has statistics for that column.  Until autovacuum has
    -- analyzed the table once, the first merge that finds events does.
    IF merged > 0 AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_statistic AS st
          JOIN pg_catalog.pg_attribute AS a
            ON a.attrelid = st.starelid AND a.attnum = st.staattnum
         WHERE st.starelid = 'masecon.execution_events'::pg_catalog.regclass
           AND a.attname = 'ingest_xid') THEN
        ANALYZE masecon.execution_events;
    END IF;
    RETURN merged;
END
$$;
COMMENT ON FUNCTION masecon.merge_rollups(boolean) IS
    'folds events whose inserting transactions have ended into the spend rollups; returns how many';

/*
 * Statement trigger for UPDATE and DELETE on execution_events: merged events
 * leave the rollups with their old values and, for an update, come back with
 * their new ones.  Events in the tail need nothing, because the merge reads
 * their current version.  EXECUTE sees the transition tables as static
 * statements do.
 */
CREATE FUNCTION masecon.rollup_event_change()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    watermark bigint;
    columns text := $sql$
        customer_id, workflow_id, coalesce(agent_id, '') AS agent_id, model_name,
        "timestamp", execution_cost_total AS cost, tokens_in, tokens_out,
        price_status = 'unpriced' AS unpriced
    $sql$;
BEGIN
    SELECT s.merged_below INTO watermark FROM masecon.rollup_state AS s FOR UPDATE;

    EXECUTE masecon.rollup_delta_sql(
        pg_catalog.format('SELECT %s FROM old_events WHERE ingest_xid < %s', columns, watermark), -1);
    IF TG_OP = 'UPDATE' THEN
        EXECUTE masecon.rollup_delta_sql(
            pg_catalog.format('SELECT %s FROM new_events WHERE ingest_xid < %s', columns, watermark), 1);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION masecon.rollup_event_change() IS
    'trigger function that keeps the spend rollups equal to the events when merged events change';

CREATE TRIGGER execution_events_rollup_update
    AFTER UPDATE ON masecon.execution_events
    REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.rollup_event_change();
CREATE TRIGGER execution_events_rollup_delete
    AFTER DELETE ON masecon.execution_events
    REFERENCING OLD TABLE AS old_events
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.rollup_event_change();

-- TRUNCATE of the events empties the rollups with them.
CREATE FUNCTION masecon.rollup_event_truncate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM 1 FROM masecon.rollup_state FOR UPDATE;
    TRUNCATE masecon.spend_buckets, masecon.spend_days, masecon.spend_keys;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION masecon.rollup_event_truncate() IS
    'trigger function that empties the spend rollups when the events are truncated';

CREATE TRIGGER execution_events_rollup_truncate
    AFTER TRUNCATE ON masecon.execution_events
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.rollup_event_truncate();

-- A policy's time zone decides the day of each event, so a new, changed or
-- removed policy rebuilds the customer's spend_days from spend_buckets.
CREATE FUNCTION masecon.rollup_policy_change()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    customer text;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.time_zone IS NOT DISTINCT FROM OLD.time_zone
       AND NEW.customer_id = OLD.customer_id THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM masecon.rollup_state FOR UPDATE;
    FOREACH customer IN ARRAY
        CASE TG_OP
            WHEN 'INSERT' THEN ARRAY[NEW.customer_id]
            WHEN 'DELETE' THEN ARRAY[OLD.customer_id]
            ELSE ARRAY[OLD.customer_id, NEW.customer_id]
        END
    LOOP
        DELETE FROM masecon.spend_days AS d WHERE d.customer_id = customer;
        INSERT INTO masecon.spend_days
               (customer_id, day, cost, executions, tokens_in, tokens_out, unpriced_events)
        SELECT b.customer_id,
               (b.bucket AT TIME ZONE masecon.customer_time_zone(customer))::date,
               pg_catalog.sum(b.cost), pg_catalog.sum(b.executions),
               pg_catalog.sum(b.tokens_in), pg_catalog.sum(b.tokens_out),
               pg_catalog.sum(b.unpriced_events)
          FROM masecon.spend_buckets AS b
         WHERE b.customer_id = customer
         GROUP BY 1, 2;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION masecon.rollup_policy_change() IS
    'trigger function that rebuilds a customer''s spend_days when its policy time zone changes';

CREATE TRIGGER budget_policies_rollup
    AFTER INSERT OR UPDATE OR DELETE ON masecon.budget_policies
    FOR EACH ROW EXECUTE FUNCTION masecon.rollup_policy_change();

-- Readers.  Each is one statement, so the watermark, the rollups and the
-- tail are read under one snapshot and the figures are exact.  They are
-- PL/pgSQL functions, not SQL ones.  PostgreSQL 15 plans the statement of
-- a SQL function that it cannot inline again on every call, and in
-- bench/history that planning took longer than the reads themselves.
-- PL/pgSQL keeps the plan for the session, but it reuses a generic plan
-- only when that is about as cheap as one planned for the argument values.
-- So no filter may depend on an argument being NULL (see masecon.key_spend).

-- Spend per local day of the customer's policy time zone, first_day to
-- last_day inclusive; days without events are left out.
CREATE FUNCTION masecon.daily_spend(customer_id text, first_day date, last_day date)
RETURNS TABLE (day date, cost numeric, executions bigint, tokens_in numeric,
               tokens_out numeric, unpriced_events bigint)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
RETURN QUERY
WITH zone AS MATERIALIZED (
    SELECT z.name,
           (first_day::timestamp AT TIME ZONE z.name) AS low,
           ((last_day + 1)::timestamp AT TIME ZONE z.name) AS high
      FROM (SELECT masecon.customer_time_zone(daily_spend.customer_id) AS name) AS z),
tail AS MATERIALIZED (
    SELECT e."timestamp", e.execution_cost_total, e.tokens_in, e.tokens_out, e.price_status
      FROM masecon.execution_events AS e
     WHERE e.customer_id = daily_spend.customer_id
       AND e.ingest_xid >= masecon.rollup_watermark())
SELECT s.day, pg_catalog.sum(s.cost), pg_catalog.sum(s.executions)::bigint,
       pg_catalog.sum(s.tokens_in), pg_catalog.sum(s.tokens_out),
       pg_catalog.sum(s.unpriced_events)::bigint
  FROM (SELECT d.day, d.cost, d.executions, d.tokens_in, d.tokens_out, d.unpriced_events
          FROM masecon.spend_days AS d
         WHERE d.customer_id = daily_spend.customer_id
           AND d.day >= first_day AND d.day <= last_day
        UNION ALL
        SELECT (t."timestamp" AT TIME ZONE zone.name)::date, t.execution_cost_total, 1,
               t.tokens_in, t.tokens_out, (t.price_status = 'unpriced')::integer
          FROM tail AS t, zone
         WHERE t."timestamp" >= zone.low AND t."timestamp" < zone.high) AS s
 GROUP BY s.day
HAVING pg_catalog.sum(s.executions) <> 0;
END
$$;
COMMENT ON FUNCTION masecon.daily_spend(text, date, date) IS
    'exact spend per local day of the customer, from the rollups and the events not merged yet';

-- Spend and steps of a customer, a workflow, or an agent in a workflow, over
-- all stored events.  NULL workflow_id or agent_id means all of them; ''
-- as agent_id means the steps without an agent.  A generic plan, made
-- without the argument values, cannot use the primary key for a filter
-- such as "workflow_id IS NULL OR k.workflow_id = workflow_id" and reads
-- every rollup row of the customer.  The rollup rows are therefore read by
-- two branches, one with a workflow and one without, and the branch whose
-- test on the argument is false reads nothing.
CREATE FUNCTION masecon.key_spend(customer_id text, workflow_id text DEFAULT NULL,
                                  agent_id text DEFAULT NULL,
                                  OUT cost numeric, OUT executions bigint,
                                  OUT tokens_in numeric, OUT tokens_out numeric)
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
WITH tail AS MATERIALIZED (
    SELECT e.workflow_id, e.agent_id, e.execution_cost_total, e.tokens_in, e.tokens_out
      FROM masecon.execution_events AS e
     WHERE e.customer_id = key_spend.customer_id
       AND e.ingest_xid >= masecon.rollup_watermark())
SELECT coalesce(pg_catalog.sum(s.cost), 0), coalesce(pg_catalog.sum(s.executions), 0)::bigint,
       coalesce(pg_catalog.sum(s.tokens_in), 0), coalesce(pg_catalog.sum(s.tokens_out), 0)
  INTO key_spend.cost, key_spend.executions, key_spend.tokens_in, key_spend.tokens_out
  FROM (SELECT k.cost, k.executions, k.tokens_in, k.tokens_out
          FROM masecon.spend_keys AS k
         WHERE k.customer_id = key_spend.customer_id
           AND key_spend.workflow_id IS NULL
           AND (key_spend.agent_id IS NULL OR k.agent_id = key_spend.agent_id)
        UNION ALL
        SELECT k.cost, k.executions, k.tokens_in, k.tokens_out
          FROM masecon.spend_keys AS k
         WHERE k.customer_id = key_spend.customer_id
           AND k.workflow_id = key_spend.workflow_id
           AND (key_spend.agent_id IS NULL OR k.agent_id = key_spend.agent_id)
        UNION ALL
        SELECT t.execution_cost_total, 1, t.tokens_in, t.tokens_out
          FROM tail AS t
         WHERE (key_spend.workflow_id IS NULL OR t.workflow_id = key_spend.workflow_id)
           AND (key_spend.agent_id IS NULL OR coalesce(t.agent_id, '') = key_spend.agent_id)) AS s;
END
$$;
COMMENT ON FUNCTION masecon.key_spend(text, text, text) IS
    'exact spend and step count of a customer, workflow or agent, from the rollups and the events not merged yet';

-- Exact spend in [from_time, to_time) of one customer, or of all customers
-- when customer_id is NULL: whole 15-minute buckets from the rollups and the
-- tail, the partial buckets at either end from the events themselves.  The
-- rollups and the events are read by separate branches for one customer
-- and for all customers.  In a generic plan, a filter "customer_id IS NULL
-- OR e.customer_id = customer_id" cannot use the index on (customer_id,
-- "timestamp"), so the partial buckets of one customer would be found by
-- reading every stored event.
CREATE FUNCTION masecon.window_spend(customer_id text, from_time timestamptz, to_time timestamptz,
                                     OUT cost numeric, OUT executions bigint,
                                     OUT tokens_in numeric, OUT tokens_out numeric,
                                     OUT unpriced_events bigint)
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    -- Whole buckets cover [low, high); the events before low and from high
    -- on are read one by one.  The bounds are variables, so that they reach
    -- the index scans as parameters rather than as a join.
    low timestamptz := CASE WHEN masecon.spend_bucket(from_time) = from_time THEN from_time
                            ELSE masecon.spend_bucket(from_time) + interval '15 minutes' END;
    high timestamptz := masecon.spend_bucket(to_time);
    head_end timestamptz := CASE WHEN low < high THEN low ELSE to_time END;
BEGIN
WITH tail AS MATERIALIZED (
    SELECT e."timestamp", e.execution_cost_total, e.tokens_in, e.tokens_out, e.price_status
      FROM masecon.execution_events AS e
     WHERE (window_spend.customer_id IS NULL OR e.customer_id = window_spend.customer_id)
       AND e.ingest_xid >= masecon.rollup_watermark())
SELECT coalesce(pg_catalog.sum(s.cost), 0), coalesce(pg_catalog.sum(s.executions), 0)::bigint,
       coalesce(pg_catalog.sum(s.tokens_in), 0), coalesce(pg_catalog.sum(s.tokens_out), 0),
       coalesce(pg_catalog.sum(s.unpriced_events), 0)::bigint
  INTO window_spend.cost, window_spend.executions, window_spend.tokens_in,
       window_spend.tokens_out, window_spend.unpriced_events
  FROM (SELECT b.cost, b.executions, b.tokens_in, b.tokens_out, b.unpriced_events
          FROM masecon.spend_buckets AS b
         WHERE b.customer_id = window_spend.customer_id
           AND b.bucket >= low AND b.bucket < high
        UNION ALL
        SELECT b.cost, b.executions, b.tokens_in, b.tokens_out, b.unpriced_events
          FROM masecon.spend_buckets AS b
         WHERE window_spend.customer_id IS NULL
           AND b.bucket >= low AND b.bucket < high
        UNION ALL
        SELECT t.execution_cost_total, 1, t.tokens_in, t.tokens_out,
               (t.price_status = 'unpriced')::integer
          FROM tail AS t
         WHERE t."timestamp" >= low AND t."timestamp" < high
        UNION ALL
        SELECT e.execution_cost_total, 1, e.tokens_in, e.tokens_out,
               (e.price_status = 'unpriced')::integer
          FROM masecon.execution_events AS e
         WHERE e.customer_id = window_spend.customer_id
           AND e."timestamp" >= from_time AND e."timestamp" < head_end
        UNION ALL
        SELECT e.execution_cost_total, 1, e.tokens_in, e.tokens_out,
               (e.price_status = 'unpriced')::integer
          FROM masecon.execution_events AS e
         WHERE e.customer_id = window_spend.customer_id
           AND low < high
           AND e."timestamp" >= high AND e."timestamp" < to_time
        UNION ALL
        -- NOTE: no index leads with "timestamp", so for all customers the
        -- partial buckets are found by reading every event.
        SELECT e.execution_cost_total, 1, e.tokens_in, e.tokens_out,
               (e.price_status = 'unpriced')::integer
          FROM masecon.execution_events AS e
         WHERE window_spend.customer_id IS NULL
           AND e."timestamp" >= from_time AND e."timestamp" < head_end
        UNION ALL
        SELECT e.execution_cost_total, 1, e.tokens_in, e.tokens_out,
               (e.price_status = 'unpriced')::integer
          FROM masecon.execution_events AS e
         WHERE window_spend.customer_id IS NULL
           AND low < high
           AND e."timestamp" >= high AND e."timestamp" < to_time) AS s;
END
$$;
COMMENT ON FUNCTION masecon.window_spend(text, timestamptz, timestamptz) IS
    'exact spend of a customer, or of all customers, between two instants';

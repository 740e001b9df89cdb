-- Signals: a NOTIFY on channel masecon_signal when an insert worsens a
-- customer's guardrail signal or pressure level.

-- The levels last notified per customer and day, so that a level is
-- notified once per change and not on every insert.  The row of a day is
-- written on the first evaluation that day, and rows of earlier days are
-- deleted then.  It keeps the recent daily average of the pressure
-- forecast, which the days before do not change, so that inserts read only
-- the current day.
--
-- It also keeps the spend of the day's events with ingest_xid below
-- counted_below, so that an evaluation reads only the customer's events at
-- or above it.  counted_below is the xmin of a snapshot taken when the
-- spend was counted: every transaction with a smaller id had ended then,
-- so no event below it can appear later (the argument of the merge
-- watermark in 35_rollups.sql).  Any change to events other than an insert
-- sets counted_below to NULL, and the next evaluation counts again from
-- the rollups.
-- NOTE: like the merge, this relies on every inserted event getting the
-- id of its own transaction as ingest_xid.  Events loaded with
-- session_replication_role = replica into a live database keep the
-- ingest_xid they are given, and one below counted_below is missed until
-- the next change to events or to the policy.
CREATE TABLE masecon.signal_state (
    customer_id text NOT NULL,
    day date NOT NULL,
    signal masecon.guardrail_signal NOT NULL DEFAULT 'PASS',
    pressure masecon.pressure_level NOT NULL DEFAULT 'GREEN',
    history_days integer NOT NULL,
    recent_daily_average numeric NOT NULL,
    notified_at timestamptz,
    counted_below bigint,
    counted_spend numeric,
    counted_unpriced_models text[],
    PRIMARY KEY (customer_id, day)
);
COMMENT ON TABLE masecon.signal_state IS
    'worst guardrail signal and pressure level notified on channel masecon_signal per customer and day of its policy''s time zone, with the day''s recent daily average and its spend below an ingest_xid';
COMMENT ON COLUMN masecon.signal_state.counted_below IS
    'ingest_xid below which counted_spend and counted_unpriced_models hold the day''s events; NULL until counted, and after any update, delete or truncate of events';
COMMENT ON COLUMN masecon.signal_state.counted_spend IS
    'spend of the customer''s events of the day with ingest_xid below counted_below';
COMMENT ON COLUMN masecon.signal_state.counted_unpriced_models IS
    'sorted distinct models of the customer''s unpriced events of the day with ingest_xid below counted_below';

-- Sorted distinct union of two lists of model names, either of which may
-- be NULL.
CREATE FUNCTION masecon.merge_model_names(first text[], second text[])
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT CASE WHEN pg_catalog.cardinality(second) > 0 THEN
           ARRAY(SELECT DISTINCT m.name
                   FROM pg_catalog.unnest(first || second) AS m (name)
                  ORDER BY 1)
       ELSE coalesce(first, '{}')
       END
$$;
COMMENT ON FUNCTION masecon.merge_model_names(text[], text[]) IS
    'sorted distinct model names of two lists';

/*
 * Counts the customer's events of the day below a new boundary and stores
 * it in the day's signal_state row.  Skips when another transaction holds
 * that row, because the lock of an update lasts until the inserting
 * transaction ends and writers must not queue behind it; the next
 * evaluation then counts again.  Returns whether it stored a boundary.
 */
CREATE FUNCTION masecon.advance_signal_count(customer_id text, day date, time_zone text)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    state masecon.signal_state;
    day_start timestamptz := masecon.policy_day_start(advance_signal_count.day, time_zone);
    day_end timestamptz := masecon.policy_day_start(advance_signal_count.day + 1, time_zone);
    boundary bigint;
    spend numeric;
    models text[];
BEGIN
    -- Under REPEATABLE READ a row changed since the snapshot raises a
    -- serialization failure, and the events counted would be those of an
    -- older snapshot, so only READ COMMITTED stores a boundary.
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RETURN false;
    END IF;
    SELECT s.* INTO state
      FROM masecon.signal_state AS s
     WHERE s.customer_id = advance_signal_count.customer_id AND s.day = advance_signal_count.day
       FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    -- Taken after the lock, so the statements below see every change to
    -- events whose transaction cleared counted_below before the lock, and
    -- every later one waits for this transaction.  This transaction's own
    -- events have an ingest_xid of at least boundary, so they stay above it.
    boundary := pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text::bigint;
    IF state.counted_below IS NULL THEN
        SELECT d.spend - coalesce((SELECT pg_catalog.sum(t.execution_cost_total)
                                     FROM (SELECT e."timestamp", e.execution_cost_total
                                             FROM masecon.execution_events AS e
                                            WHERE e.customer_id = advance_signal_count.customer_id
                                              AND e.ingest_xid >= boundary
                                           OFFSET 0) AS t
                                    WHERE t."timestamp" >= day_start AND t."timestamp" < day_end), 0),
               ARRAY(SELECT DISTINCT e.model_name
                       FROM masecon.execution_events AS e
                      WHERE e.customer_id = advance_signal_count.customer_id
                        AND e.price_status = 'unpriced'
                        AND e."timestamp" >= day_start AND e."timestamp" < day_end
                        AND e.ingest_xid < boundary
                      ORDER BY 1)
          INTO spend, models
          FROM masecon.spend_of_day(advance_signal_count.customer_id, advance_signal_count.day) AS d;
    ELSIF boundary > state.counted_below THEN
        WITH tail AS MATERIALIZED (
            SELECT e."timestamp", e.execution_cost_total, e.price_status, e.model_name
              FROM masecon.execution_events AS e
             WHERE e.customer_id = advance_signal_count.customer_id
               AND e.ingest_xid >= state.counted_below AND e.ingest_xid < boundary)
        SELECT state.counted_spend + coalesce(pg_catalog.sum(t.execution_cost_total), 0),
               coalesce(pg_catalog.array_agg(t.model_name) FILTER (WHERE t.price_status = 'unpriced'), '{}')
          INTO spend, models
          FROM tail AS t
         WHERE t."timestamp" >= day_start AND t."timestamp" < day_end;
        models := masecon.merge_model_names(state.counted_unpriced_models, models);
    ELSE
        RETURN false;
    END IF;

    UPDATE masecon.signal_state AS s
       SET counted_below = boundary, counted_spend = spend, counted_unpriced_models = models
     WHERE s.customer_id = advance_signal_count.customer_id AND s.day = advance_signal_count.day;
    RETURN true;
END
$$;
COMMENT ON FUNCTION masecon.advance_signal_count(text, date, text) IS
    'stores the spend of a customer''s day below a new ingest_xid boundary in masecon.signal_state, unless another transaction holds the row; returns whether it did';

CREATE FUNCTION masecon.send_signal(
    customer_id text,
    workflow_id text,
    events bigint,
    at timestamptz DEFAULT pg_catalog.now())
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    policy masecon.budget_policies;
    today date;
    day_start timestamptz;
    day_end timestamptz;
    state masecon.signal_state;
    history record;
    day_total numeric;
    tail_events bigint;
    unpriced_models text[];
    guardrail masecon.guardrail_result;
    forecast numeric;
    level masecon.pressure_level;
    new_signal masecon.guardrail_signal;
    new_pressure masecon.pressure_level;
    payload text;
BEGIN
    SELECT p.* INTO policy
      FROM masecon.budget_policies AS p
     WHERE p.customer_id = send_signal.customer_id;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    today := masecon.policy_day(send_signal.at, policy.time_zone);
    day_start := masecon.policy_day_start(today, policy.time_zone);
    day_end := masecon.policy_day_start(today + 1, policy.time_zone);

    SELECT s.* INTO state
      FROM masecon.signal_state AS s
     WHERE s.customer_id = send_signal.customer_id AND s.day = today;
    IF NOT FOUND THEN
        SELECT h.* INTO history
          FROM masecon.recent_daily_average(send_signal.customer_id, today) AS h;
        INSERT INTO masecon.signal_state AS s (customer_id, day, history_days, recent_daily_average)
        VALUES (send_signal.customer_id, today, history.history_days, history.average)
        ON CONFLICT DO NOTHING
        RETURNING s.* INTO state;
        IF FOUND THEN
            DELETE FROM masecon.signal_state AS s
             WHERE s.customer_id = send_signal.customer_id AND s.day < today;
        ELSE
            -- Another session wrote the row first.
            SELECT s.* INTO STRICT state
              FROM masecon.signal_state AS s
             WHERE s.customer_id = send_signal.customer_id AND s.day = today;
        END IF;
    END IF;
    IF state.signal = 'BLOCK' AND state.pressure = 'RED' THEN
        RETURN false;
    END IF;

    -- The customer-wide levels that masecon.mas_evaluate_guardrail(customer_id)
    -- and masecon.mas_pressure(customer_id) return, from one sum of the day:
    -- the counted spend and the events at or above counted_below, or the
    -- rollup readers when the day is not counted.
    -- NOTE: unlike those functions, this leaves out open reservations, so a
    -- notification follows the stored events only.
    IF state.counted_below IS NULL THEN
        SELECT d.spend, d.unpriced_models INTO day_total, unpriced_models
          FROM masecon.spend_of_day(send_signal.customer_id, today) AS d;
        PERFORM masecon.advance_signal_count(send_signal.customer_id, today, policy.time_zone);
    ELSE
        -- Filtered on customer_id and ingest_xid alone, so that the scan
        -- takes the index on both, as the rollup readers do.
        -- NOTE: before an ANALYZE has seen the customer's events, this read
        -- was measured at about 1.2 ms on a tail of under 100 events.
        WITH tail AS MATERIALIZED (
            SELECT e."timestamp", e.execution_cost_total, e.price_status, e.model_name
              FROM masecon.execution_events AS e
             WHERE e.customer_id = send_signal.customer_id
               AND e.ingest_xid >= state.counted_below)
        SELECT state.counted_spend
                   + coalesce(pg_catalog.sum(t.execution_cost_total)
                                  FILTER (WHERE t."timestamp" >= day_start AND t."timestamp" < day_end), 0),
               pg_catalog.count(*),
               coalesce(pg_catalog.array_agg(t.model_name)
                            FILTER (WHERE t.price_status = 'unpriced'
                                      AND t."timestamp" >= day_start AND t."timestamp" < day_end), '{}')
          INTO day_total, tail_events, unpriced_models
          FROM tail AS t;
        unpriced_models := masecon.merge_model_names(state.counted_unpriced_models, unpriced_models);
        IF tail_events > pg_catalog.current_setting('masecon.signal_tail_max')::integer THEN
            PERFORM masecon.advance_signal_count(send_signal.customer_id, today, policy.time_zone);
        END IF;
    END IF;
    guardrail := masecon.mas_evaluate_guardrail(
        daily_spend => day_total,
        daily_budget => policy.daily_budget_limit,
        workflow_spend => NULL,
        workflow_budget => policy.workflow_budget_limit,
        agent_steps => NULL,
        step_limit => policy.step_limit_per_agent,
        unpriced_models => unpriced_models,
        warn_threshold => policy.warn_threshold);
    forecast := masecon.mas_pressure_forecast(day_total, state.recent_daily_average,
                                              masecon.day_fraction(send_signal.at, policy.time_zone));
    level := masecon.mas_pressure(day_total, forecast, policy.daily_budget_limit,
                                  policy.amber_threshold);
    IF guardrail.signal <= state.signal AND level <= state.pressure THEN
        RETURN false;
    END IF;

    -- Lock the row and compare again, so that two sessions that both saw
    -- the old levels notify the change once.
    SELECT s.* INTO STRICT state
      FROM masecon.signal_state AS s
     WHERE s.customer_id = send_signal.customer_id AND s.day = today
       FOR UPDATE;
    new_signal := GREATEST(state.signal, guardrail.signal);
    new_pressure := GREATEST(state.pressure, level);
    IF new_signal = state.signal AND new_pressure = state.pressure THEN
        RETURN false;
    END IF;
    UPDATE masecon.signal_state AS s
       SET signal = new_signal, pressure = new_pressure, notified_at = send_signal.at
     WHERE s.customer_id = send_signal.customer_id AND s.day = today;

    payload := pg_catalog.json_build_object(
        'customer', send_signal.customer_id,
        'workflow', send_signal.workflow_id,
        'events', send_signal.events,
        'day', today,
        'old_signal', state.signal,
        'new_signal', new_signal,
        'old_pressure', state.pressure,
        'new_pressure', new_pressure,
        'daily_spend', guardrail.daily_spend,
        'daily_budget', guardrail.daily_budget,
        'forecast', forecast,
        'ratio', CASE WHEN policy.daily_budget_limit > 0 THEN forecast / policy.daily_budget_limit END,
        'reasons', guardrail.reasons)::text;
    -- NOTIFY rejects payloads of 8000 bytes or more; many long model names
    -- could get there, so the reasons are dropped first.
    IF pg_catalog.octet_length(payload) >= 8000 THEN
        payload := (payload::jsonb || '{"reasons": null}'::jsonb)::text;
    END IF;
    PERFORM pg_catalog.pg_notify('masecon_signal', payload);
    RETURN true;
EXCEPTION WHEN OTHERS THEN
    -- An event is never rejected for a budget reason, so a failure here
    -- loses the notification, not the insert.
    RAISE WARNING 'could not evaluate the masecon signal of customer "%": %',
        send_signal.customer_id, SQLERRM;
    RETURN false;
END
$$;
COMMENT ON FUNCTION masecon.send_signal(text, text, bigint, timestamptz) IS
    'evaluates a customer''s guardrail signal and pressure at at and, when either is worse than the last notified level of the day, records it and sends a NOTIFY on masecon_signal; returns whether it did';

CREATE FUNCTION masecon.signal_after_insert()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'masecon_signal_after_insert';
COMMENT ON FUNCTION masecon.signal_after_insert() IS
    'trigger function that calls masecon.send_signal for each customer with a policy that an insert statement touched';

CREATE TRIGGER execution_events_signal
    AFTER INSERT ON masecon.execution_events
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.signal_after_insert();

CREATE FUNCTION masecon.invalidate_policy_cache()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'masecon_invalidate_policy_cache';
COMMENT ON FUNCTION masecon.invalidate_policy_cache() IS
    'trigger function that makes every backend drop its cached list of customers with a budget policy';

CREATE TRIGGER budget_policies_invalidate
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON masecon.budget_policies
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.invalidate_policy_cache();

-- A changed or deleted policy makes the notified levels meaningless, so
-- the levels under the new limits are notified afresh.
CREATE FUNCTION masecon.reset_signal_state()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM masecon.signal_state AS s WHERE s.customer_id = OLD.customer_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION masecon.reset_signal_state() IS
    'trigger function that forgets the notified levels of a customer whose budget policy changed';

CREATE TRIGGER budget_policies_reset_signals
    AFTER UPDATE OR DELETE ON masecon.budget_policies
    FOR EACH ROW EXECUTE FUNCTION masecon.reset_signal_state();

-- Any change to events other than an insert can change what the counted
-- spend of signal_state covers, so the affected customers count their day
-- again from the rollups.
CREATE FUNCTION masecon.uncount_signal_state()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE masecon.signal_state AS s SET counted_below = NULL
         WHERE s.counted_below IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE masecon.signal_state AS s SET counted_below = NULL
         WHERE s.counted_below IS NOT NULL
           AND s.customer_id IN (SELECT o.customer_id FROM old_events AS o);
    ELSE
        UPDATE masecon.signal_state AS s SET counted_below = NULL
         WHERE s.counted_below IS NOT NULL
           AND s.customer_id IN (SELECT o.customer_id FROM old_events AS o
                                 UNION
                                 SELECT n.customer_id FROM new_events AS n);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION masecon.uncount_signal_state() IS
    'trigger function that makes the signal of each customer whose events were updated, deleted or truncated count its day again';

CREATE TRIGGER execution_events_signal_update
    AFTER UPDATE ON masecon.execution_events
    REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.uncount_signal_state();
CREATE TRIGGER execution_events_signal_delete
    AFTER DELETE ON masecon.execution_events
    REFERENCING OLD TABLE AS old_events
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.uncount_signal_state();
CREATE TRIGGER execution_events_signal_truncate
    AFTER TRUNCATE ON masecon.execution_events
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.uncount_signal_state();

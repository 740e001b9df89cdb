-- Signals: a NOTIFY on channel masecon_signal when an insert worsens a
-- customer's guardrail signal or pressure level.

-- The levels last notified per customer and day, so that a level is
-- notified once per change and not on every insert.  The row of a day is
-- written on the first evaluation that day, and rows of earlier days are
-- deleted then.  It keeps the recent daily average of the pressure
-- forecast, which the days before do not change, so that inserts read only
-- the current day.
CREATE TABLE masecon.signal_state (
    customer_id text NOT NULL,
    day date NOT NULL,
    signal masecon.guardrail_signal NOT NULL DEFAULT 'PASS',
    pressure masecon.pressure_level NOT NULL DEFAULT 'GREEN',
    history_days integer NOT NULL,
    recent_daily_average numeric NOT NULL,
    notified_at timestamptz,
    PRIMARY KEY (customer_id, day)
);
COMMENT ON TABLE masecon.signal_state IS
    'worst guardrail signal and pressure level notified on channel masecon_signal per customer and day of its policy''s time zone, with the day''s recent daily average';

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
    state masecon.signal_state;
    history record;
    day_spend record;
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
    -- and masecon.mas_pressure(customer_id) return, from one sum of the day.
    -- NOTE: unlike those functions, this leaves out open reservations, so a
    -- notification follows the stored events only.
    SELECT d.* INTO day_spend
      FROM masecon.spend_of_day(send_signal.customer_id, today) AS d;
    guardrail := masecon.mas_evaluate_guardrail(
        daily_spend => day_spend.spend,
        daily_budget => policy.daily_budget_limit,
        workflow_spend => NULL,
        workflow_budget => policy.workflow_budget_limit,
        agent_steps => NULL,
        step_limit => policy.step_limit_per_agent,
        unpriced_models => day_spend.unpriced_models,
        warn_threshold => policy.warn_threshold);
    forecast := masecon.mas_pressure_forecast(day_spend.spend, state.recent_daily_average,
                                              masecon.day_fraction(send_signal.at, policy.time_zone));
    level := masecon.mas_pressure(day_spend.spend, forecast, policy.daily_budget_limit,
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

-- Signals: a NOTIFY on channel masecon_signal when an insert worsens a
-- customer's guardrail signal or pressure level.

-- The levels last notified per customer and day, so that a level is
-- notified once per change and not on every insert.  Rows of earlier days
-- are deleted when a customer's first row of a day is written.
CREATE TABLE masecon.signal_state (
    customer_id text NOT NULL,
    day date NOT NULL,
    signal masecon.guardrail_signal NOT NULL DEFAULT 'PASS',
    pressure masecon.pressure_level NOT NULL DEFAULT 'GREEN',
    notified_at timestamptz,
    PRIMARY KEY (customer_id, day)
);
COMMENT ON TABLE masecon.signal_state IS
    'worst guardrail signal and pressure level notified on channel masecon_signal per customer and day of its policy''s time zone';

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
    zone text;
    today date;
    old_signal masecon.guardrail_signal;
    old_pressure masecon.pressure_level;
    new_signal masecon.guardrail_signal;
    new_pressure masecon.pressure_level;
    guardrail masecon.guardrail_result;
    pressure masecon.pressure_figures;
    payload text;
BEGIN
    SELECT p.time_zone INTO zone
      FROM masecon.budget_policies AS p
     WHERE p.customer_id = send_signal.customer_id;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    today := masecon.policy_day(send_signal.at, zone);

    SELECT s.signal, s.pressure INTO old_signal, old_pressure
      FROM masecon.signal_state AS s
     WHERE s.customer_id = send_signal.customer_id AND s.day = today;
    old_signal := COALESCE(old_signal, 'PASS');
    old_pressure := COALESCE(old_pressure, 'GREEN');
    IF old_signal = 'BLOCK' AND old_pressure = 'RED' THEN
        RETURN false;
    END IF;

    guardrail := masecon.mas_evaluate_guardrail(send_signal.customer_id, NULL, NULL, 0, send_signal.at);
    pressure := masecon.mas_pressure_figures(send_signal.customer_id, send_signal.at);
    IF guardrail.signal <= old_signal AND pressure.level <= old_pressure THEN
        RETURN false;
    END IF;

    -- Lock the state row and compare again, so that two sessions that
    -- both saw the old level notify the change once.
    INSERT INTO masecon.signal_state AS s (customer_id, day)
    VALUES (send_signal.customer_id, today)
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        DELETE FROM masecon.signal_state AS s
         WHERE s.customer_id = send_signal.customer_id AND s.day < today;
    END IF;
    SELECT s.signal, s.pressure INTO old_signal, old_pressure
      FROM masecon.signal_state AS s
     WHERE s.customer_id = send_signal.customer_id AND s.day = today
       FOR UPDATE;
    new_signal := GREATEST(old_signal, guardrail.signal);
    new_pressure := GREATEST(old_pressure, pressure.level);
    IF new_signal = old_signal AND new_pressure = old_pressure THEN
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
        'old_signal', old_signal,
        'new_signal', new_signal,
        'old_pressure', old_pressure,
        'new_pressure', new_pressure,
        'daily_spend', guardrail.daily_spend,
        'daily_budget', guardrail.daily_budget,
        'forecast', pressure.forecast,
        'ratio', pressure.ratio,
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

-- Guardrail and pressure types, and the checks on budget_policies.

-- Guardrail signals in increasing severity, so that comparisons and max()
-- order them.
CREATE TYPE masecon.guardrail_signal AS ENUM ('PASS', 'WARN', 'BLOCK');
COMMENT ON TYPE masecon.guardrail_signal IS
    'answer of masecon.mas_evaluate_guardrail: PASS (go on), WARN (go on, a limit is near or spend is unknown), BLOCK (stop, a budget would be exceeded)';

-- Pressure levels in increasing severity.
CREATE TYPE masecon.pressure_level AS ENUM ('GREEN', 'AMBER', 'RED');
COMMENT ON TYPE masecon.pressure_level IS
    'forecast daily budget pressure: GREEN, AMBER (forecast above amber_threshold of the daily budget), RED (forecast or spend above the daily budget)';

CREATE TYPE masecon.guardrail_result AS (
    signal masecon.guardrail_signal,
    reasons text[],
    daily_spend numeric,
    daily_budget numeric,
    workflow_spend numeric,
    workflow_budget numeric,
    agent_steps bigint,
    step_limit integer,
    proposed_cost numeric,
    warn_threshold numeric,
    unpriced_models text[],
    reserved_spend numeric,
    workflow_reserved_spend numeric
);
COMMENT ON TYPE masecon.guardrail_result IS
    'result of masecon.mas_evaluate_guardrail: the signal, why, and the figures it compared, the proposed step included; daily_spend and workflow_spend include the open reservations, shown again in reserved_spend and workflow_reserved_spend; a NULL budget or limit means no limit';

CREATE TYPE masecon.pressure_figures AS (
    level masecon.pressure_level,
    day date,
    time_zone text,
    spend numeric,
    forecast numeric,
    budget numeric,
    ratio numeric,
    recent_daily_average numeric,
    history_days integer,
    elapsed_fraction numeric,
    amber_threshold numeric,
    reserved_spend numeric
);
COMMENT ON TYPE masecon.pressure_figures IS
    'result of masecon.mas_pressure_figures: the level and the spend, forecast, budget and forecast-to-budget ratio of the day behind it; spend includes the open reservations, shown again in reserved_spend';

-- Rejects an unknown time zone and keeps updated_at current.  Converting
-- one timestamp is the check, because scanning pg_timezone_names reads
-- the whole time zone database.
CREATE FUNCTION masecon.check_budget_policy()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.time_zone = '' THEN
        RAISE EXCEPTION 'empty value in column "time_zone" of a budget policy'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use an IANA time zone name such as UTC, Europe/Berlin or Asia/Tokyo.';
    END IF;
    BEGIN
        PERFORM pg_catalog.now() AT TIME ZONE NEW.time_zone;
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE EXCEPTION 'invalid time zone "%" in column "time_zone" of a budget policy', NEW.time_zone
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use an IANA time zone name such as UTC, Europe/Berlin or Asia/Tokyo; SELECT name FROM pg_timezone_names lists them.';
    END;
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := pg_catalog.now();
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION masecon.check_budget_policy() IS
    'trigger function that rejects an unknown time_zone in a budget policy and sets updated_at on update';

CREATE TRIGGER budget_policies_check
    BEFORE INSERT OR UPDATE ON masecon.budget_policies
    FOR EACH ROW EXECUTE FUNCTION masecon.check_budget_policy();

-- masecon.mas_pressure: forecast daily budget pressure.

CREATE FUNCTION masecon.mas_pressure_forecast(
    spend numeric,
    recent_daily_average numeric,
    elapsed_fraction numeric)
RETURNS numeric
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'masecon_pressure_forecast';
COMMENT ON FUNCTION masecon.mas_pressure_forecast(numeric, numeric, numeric) IS
    'forecast spend of a whole day: spend + (1 - f) x (spend + (1 - f) x recent_daily_average), f the elapsed fraction of the day';

CREATE FUNCTION masecon.mas_pressure(
    spend numeric,
    forecast numeric,
    budget numeric,
    amber_threshold numeric DEFAULT 0.7)
RETURNS masecon.pressure_level
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'masecon_pressure_rules';
COMMENT ON FUNCTION masecon.mas_pressure(numeric, numeric, numeric, numeric) IS
    'pure pressure rules: RED when spend or forecast exceeds budget, AMBER when the forecast exceeds amber_threshold of it, else GREEN; a NULL budget is GREEN';

CREATE FUNCTION masecon.mas_pressure_figures(
    customer_id text,
    at timestamptz DEFAULT pg_catalog.now())
RETURNS masecon.pressure_figures
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    policy masecon.budget_policies;
    result masecon.pressure_figures;
BEGIN
    IF mas_pressure_figures.customer_id IS NULL OR mas_pressure_figures.customer_id = '' THEN
        RAISE EXCEPTION 'customer_id must not be null or empty'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the id of the customer whose daily budget to forecast.';
    END IF;
    IF mas_pressure_figures.at IS NULL THEN
        RAISE EXCEPTION 'at must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Omit at to forecast the current day.';
    END IF;

    SELECT p.* INTO policy
      FROM masecon.budget_policies AS p
     WHERE p.customer_id = mas_pressure_figures.customer_id;
    result.time_zone := COALESCE(policy.time_zone, 'UTC');
    result.budget := policy.daily_budget_limit;
    result.amber_threshold := COALESCE(policy.amber_threshold, 0.7);

    result.day := masecon.policy_day(mas_pressure_figures.at, result.time_zone);
    result.spend := (masecon.spend_of_day(mas_pressure_figures.customer_id, result.day)).spend;
    -- Open reservations are spend about to happen, so they count as spend;
    -- settling one at its estimate leaves the forecast unchanged.
    result.reserved_spend := (masecon.reserved_spend(mas_pressure_figures.customer_id,
                                                     mas_pressure_figures.at)).spend;
    result.spend := result.spend + result.reserved_spend;

    SELECT h.history_days, h.average INTO result.history_days, result.recent_daily_average
      FROM masecon.recent_daily_average(mas_pressure_figures.customer_id, result.day) AS h;
    result.elapsed_fraction := masecon.day_fraction(mas_pressure_figures.at, result.time_zone);
    result.forecast := masecon.mas_pressure_forecast(result.spend, result.recent_daily_average,
                                                     result.elapsed_fraction);
    result.level := masecon.mas_pressure(result.spend, result.forecast, result.budget,
                                         result.amber_threshold);
    IF result.budget > 0 THEN
        result.ratio := result.forecast / result.budget;
    END IF;
    RETURN result;
END
$$;
COMMENT ON FUNCTION masecon.mas_pressure_figures(text, timestamptz) IS
    'pressure level of a customer''s day containing at, with the spend so far (open reservations included), the forecast for the whole day, the daily budget, forecast/budget and the recent daily average behind the forecast';

CREATE FUNCTION masecon.mas_pressure(
    customer_id text,
    at timestamptz DEFAULT pg_catalog.now())
RETURNS masecon.pressure_level
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT (masecon.mas_pressure_figures(mas_pressure.customer_id, mas_pressure.at)).level
$$;
COMMENT ON FUNCTION masecon.mas_pressure(text, timestamptz) IS
    'GREEN, AMBER or RED from the forecast of the customer''s spend on the day containing at; masecon.mas_pressure_figures returns the figures behind it';

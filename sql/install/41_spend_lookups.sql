-- Spend look-ups behind the guardrail and pressure functions.
--
-- Each filters on customer_id = value, so it runs on one shard on Citus.
-- The sums come from the rollup readers (masecon.daily_spend and
-- masecon.key_spend), so they do not grow with history; naming unpriced
-- models reads the unpriced events alone, through partial indexes.  The
-- look-ups that every guardrail or pressure call runs are PL/pgSQL, for
-- the plan reuse described above the readers in the rollups script.

CREATE FUNCTION masecon.policy_day(at timestamptz, time_zone text)
RETURNS date
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'masecon_policy_day';
COMMENT ON FUNCTION masecon.policy_day(timestamptz, text) IS
    'calendar day in time_zone on which the instant at falls';

CREATE FUNCTION masecon.policy_day_start(day date, time_zone text)
RETURNS timestamptz
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'masecon_policy_day_start';
COMMENT ON FUNCTION masecon.policy_day_start(date, text) IS
    'instant at which day begins in time_zone; the day ends where the next one begins';

CREATE FUNCTION masecon.day_fraction(at timestamptz, time_zone text)
RETURNS numeric
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'masecon_day_fraction';
COMMENT ON FUNCTION masecon.day_fraction(timestamptz, text) IS
    'fraction of its calendar day in time_zone that has passed at the instant at, from 0 at midnight to below 1';

-- The day is a calendar day of the customer's policy time zone, as in
-- masecon.daily_spend.
CREATE FUNCTION masecon.spend_of_day(
    customer_id text,
    day date,
    OUT spend numeric,
    OUT events bigint,
    OUT unpriced_models text[])
RETURNS record
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
SELECT COALESCE(d.cost, 0),
       COALESCE(d.executions, 0),
       CASE WHEN d.unpriced_events > 0 THEN
           ARRAY(SELECT DISTINCT e.model_name
                   FROM masecon.execution_events AS e
                  WHERE e.customer_id = spend_of_day.customer_id
                    AND e.price_status = 'unpriced'
                    AND e."timestamp" >= masecon.policy_day_start(spend_of_day.day, z.time_zone)
                    AND e."timestamp" < masecon.policy_day_start(spend_of_day.day + 1, z.time_zone)
                  ORDER BY 1)
       ELSE '{}'
       END
  INTO spend_of_day.spend, spend_of_day.events, spend_of_day.unpriced_models
  FROM (SELECT masecon.customer_time_zone(spend_of_day.customer_id) AS time_zone) AS z
  LEFT JOIN masecon.daily_spend(spend_of_day.customer_id, spend_of_day.day, spend_of_day.day) AS d
    ON true;
END
$$;
COMMENT ON FUNCTION masecon.spend_of_day(text, date) IS
    'spend, event count and unpriced models of a customer on one calendar day of its policy''s time zone';

CREATE FUNCTION masecon.spend_of_workflow(
    customer_id text,
    workflow_id text,
    agent_id text,
    OUT spend numeric,
    OUT agent_steps bigint,
    OUT unpriced_models text[])
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
SELECT (masecon.key_spend(spend_of_workflow.customer_id, spend_of_workflow.workflow_id)).cost,
       CASE WHEN spend_of_workflow.agent_id IS NOT NULL THEN
           (masecon.key_spend(spend_of_workflow.customer_id, spend_of_workflow.workflow_id,
                              spend_of_workflow.agent_id)).executions
       END,
       -- NOTE: the rollups do not count unpriced events per workflow, so this
       -- reads the workflow's events through its index.
       ARRAY(SELECT DISTINCT e.model_name
               FROM masecon.execution_events AS e
              WHERE e.customer_id = spend_of_workflow.customer_id
                AND e.workflow_id = spend_of_workflow.workflow_id
                AND e.price_status = 'unpriced'
              ORDER BY 1)
  INTO spend_of_workflow.spend, spend_of_workflow.agent_steps,
       spend_of_workflow.unpriced_models;
END
$$;
COMMENT ON FUNCTION masecon.spend_of_workflow(text, text, text) IS
    'spend and unpriced models of all events of a workflow, and the steps of agent_id in it (NULL when agent_id is NULL)';

CREATE FUNCTION masecon.first_event_time(customer_id text)
RETURNS timestamptz
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT pg_catalog.min(e."timestamp")
  FROM masecon.execution_events AS e
 WHERE e.customer_id = first_event_time.customer_id
$$;
COMMENT ON FUNCTION masecon.first_event_time(text) IS
    'timestamp of a customer''s earliest stored event, or NULL when it has none';

-- The average covers at most the 7 full days before day, so that one
-- expensive day stops weighing on the forecast after a week.
CREATE FUNCTION masecon.recent_daily_average(
    customer_id text,
    day date,
    OUT history_days integer,
    OUT average numeric)
RETURNS record
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
SELECT h.days,
       CASE WHEN h.days > 0 THEN
           COALESCE((SELECT pg_catalog.sum(d.cost)
                       FROM masecon.daily_spend(recent_daily_average.customer_id,
                                                recent_daily_average.day - h.days,
                                                recent_daily_average.day - 1) AS d), 0)
           / h.days
       ELSE 0
       END
  INTO recent_daily_average.history_days, recent_daily_average.average
  FROM (SELECT COALESCE(LEAST(7, GREATEST(0, recent_daily_average.day
                                             - masecon.policy_day(f.first_at, f.time_zone))),
                        0) AS days
          FROM (SELECT masecon.first_event_time(recent_daily_average.customer_id) AS first_at,
                       masecon.customer_time_zone(recent_daily_average.customer_id) AS time_zone) AS f) AS h;
END
$$;
COMMENT ON FUNCTION masecon.recent_daily_average(text, date) IS
    'average daily spend of a customer over the full days of its policy''s time zone before day, at most 7 and none before its first event; history_days is how many days that is';

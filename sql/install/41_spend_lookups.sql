-- Spend look-ups behind the guardrail and pressure functions.
--
-- Each filters on customer_id = value and reads the events through an
-- index that starts with customer_id, so it runs on one shard on Citus.
-- They scan the events of the range they sum, and rollups can replace them
-- without changing their callers.

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

CREATE FUNCTION masecon.spend_of_day(
    customer_id text,
    day date,
    time_zone text,
    OUT spend numeric,
    OUT events bigint,
    OUT unpriced_models text[])
RETURNS record
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT COALESCE(pg_catalog.sum(e.execution_cost_total), 0),
       pg_catalog.count(*),
       COALESCE(pg_catalog.array_agg(DISTINCT e.model_name ORDER BY e.model_name)
                    FILTER (WHERE e.price_status = 'unpriced'),
                '{}')
  FROM masecon.execution_events AS e
 WHERE e.customer_id = spend_of_day.customer_id
   AND e."timestamp" >= masecon.policy_day_start(spend_of_day.day, spend_of_day.time_zone)
   AND e."timestamp" < masecon.policy_day_start(spend_of_day.day + 1, spend_of_day.time_zone)
$$;
COMMENT ON FUNCTION masecon.spend_of_day(text, date, text) IS
    'spend, event count and unpriced models of a customer on one calendar day of time_zone';

CREATE FUNCTION masecon.spend_of_workflow(
    customer_id text,
    workflow_id text,
    agent_id text,
    OUT spend numeric,
    OUT agent_steps bigint,
    OUT unpriced_models text[])
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT COALESCE(pg_catalog.sum(e.execution_cost_total), 0),
       CASE WHEN spend_of_workflow.agent_id IS NOT NULL
            THEN pg_catalog.count(*) FILTER (WHERE e.agent_id = spend_of_workflow.agent_id)
       END,
       COALESCE(pg_catalog.array_agg(DISTINCT e.model_name ORDER BY e.model_name)
                    FILTER (WHERE e.price_status = 'unpriced'),
                '{}')
  FROM masecon.execution_events AS e
 WHERE e.customer_id = spend_of_workflow.customer_id
   AND e.workflow_id = spend_of_workflow.workflow_id
$$;
COMMENT ON FUNCTION masecon.spend_of_workflow(text, text, text) IS
    'spend and unpriced models of all events of a workflow, and the steps of agent_id in it (NULL when agent_id is NULL)';

CREATE FUNCTION masecon.spend_between(customer_id text, since timestamptz, until timestamptz)
RETURNS numeric
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT COALESCE(pg_catalog.sum(e.execution_cost_total), 0)
  FROM masecon.execution_events AS e
 WHERE e.customer_id = spend_between.customer_id
   AND e."timestamp" >= spend_between.since
   AND e."timestamp" < spend_between.until
$$;
COMMENT ON FUNCTION masecon.spend_between(text, timestamptz, timestamptz) IS
    'spend of a customer''s events from since (included) to until (excluded)';

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
    time_zone text,
    OUT history_days integer,
    OUT average numeric)
RETURNS record
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT h.days,
       CASE WHEN h.days > 0
            THEN masecon.spend_between(recent_daily_average.customer_id,
                                       masecon.policy_day_start(recent_daily_average.day - h.days,
                                                                recent_daily_average.time_zone),
                                       masecon.policy_day_start(recent_daily_average.day,
                                                                recent_daily_average.time_zone))
                 / h.days
            ELSE 0
       END
  FROM (SELECT COALESCE(LEAST(7, GREATEST(0, recent_daily_average.day
                                             - masecon.policy_day(f.first_at, recent_daily_average.time_zone))),
                        0) AS days
          FROM (SELECT masecon.first_event_time(recent_daily_average.customer_id) AS first_at) AS f) AS h
$$;
COMMENT ON FUNCTION masecon.recent_daily_average(text, date, text) IS
    'average daily spend of a customer over the full days of time_zone before day, at most 7 and none before its first event; history_days is how many days that is';

-- Spend look-ups behind the guardrail and pressure functions.
--
-- Each filters on customer_id = value and reads the events through an
-- index that starts with customer_id, so it runs on one shard on Citus.
-- They scan the events of the range they sum; rollups can replace them
-- without changing their callers.

-- The calendar day of a policy's time zone that an instant falls on.
CREATE FUNCTION masecon.policy_day(at timestamptz, time_zone text)
RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT (pg_catalog.timezone(time_zone, at))::date
$$;
COMMENT ON FUNCTION masecon.policy_day(timestamptz, text) IS
    'calendar day in time_zone on which the instant at falls';

CREATE FUNCTION masecon.policy_day_start(day date, time_zone text)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT pg_catalog.timezone(time_zone, day::timestamp)
$$;
COMMENT ON FUNCTION masecon.policy_day_start(date, text) IS
    'instant at which day begins in time_zone; the day ends where the next one begins';

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

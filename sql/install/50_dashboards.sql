-- Dashboard views and the cost summary.
--
-- The views read the spend rollups (sql/install/35_rollups.sql) plus the
-- events not merged yet, under one snapshot, so their figures are exact
-- and their cost does not grow with history.  They use joins, GROUP BY and
-- window functions partitioned by customer_id, so a query for one customer
-- that filters on customer_id = value reads that customer's rows only.
-- masecon.daily_costs is the one place that buckets spend into days, and
-- cost_spikes and mas_cost_spikes build on it.

-- One row per customer and calendar day in the time zone of the customer's
-- budget policy, or UTC without a policy.  "time" is the instant the local
-- day starts, so Grafana's $__timeFilter and time series format work on it.
CREATE VIEW masecon.daily_costs AS
SELECT (d.day::timestamp AT TIME ZONE z.time_zone) AS "time",
       d.day,
       d.customer_id,
       pg_catalog.sum(d.cost) AS cost,
       pg_catalog.sum(d.executions)::bigint AS executions,
       pg_catalog.sum(d.tokens_in) AS tokens_in,
       pg_catalog.sum(d.tokens_out) AS tokens_out,
       z.time_zone
  FROM (SELECT s.customer_id, s.day, s.cost, s.executions, s.tokens_in, s.tokens_out
          FROM masecon.spend_days AS s
        UNION ALL
        SELECT e.customer_id,
               (e."timestamp" AT TIME ZONE coalesce(tp.time_zone, 'UTC'))::date,
               e.execution_cost_total, 1, e.tokens_in, e.tokens_out
          FROM masecon.execution_events AS e
          LEFT JOIN masecon.budget_policies AS tp ON tp.customer_id = e.customer_id
         WHERE e.ingest_xid >= masecon.rollup_watermark()) AS d
  LEFT JOIN masecon.budget_policies AS p ON p.customer_id = d.customer_id
 CROSS JOIN LATERAL (SELECT coalesce(p.time_zone, 'UTC')) AS z(time_zone)
 GROUP BY d.customer_id, z.time_zone, d.day
HAVING pg_catalog.sum(d.executions) <> 0;
COMMENT ON VIEW masecon.daily_costs IS
    'cost, executions and tokens per customer and calendar day in the customer''s policy time zone (UTC without a policy); "time" is the start of that day';
COMMENT ON COLUMN masecon.daily_costs."time" IS
    'the instant the local day starts';
COMMENT ON COLUMN masecon.daily_costs.day IS
    'calendar date in time_zone';
COMMENT ON COLUMN masecon.daily_costs.time_zone IS
    'time zone of the customer''s budget policy, or UTC without a policy';

-- Spend per customer, workflow, agent and model: the merged rollup rows
-- and the events not merged yet, one row each; agent_id '' stands for
-- events without an agent.  The breakdown views group it.
CREATE VIEW masecon.spend_by_key AS
SELECT k.customer_id, k.workflow_id, k.agent_id, k.model_name,
       k.cost, k.executions, k.tokens_in, k.tokens_out
  FROM masecon.spend_keys AS k
UNION ALL
SELECT e.customer_id, e.workflow_id, coalesce(e.agent_id, ''), e.model_name,
       e.execution_cost_total, 1, e.tokens_in, e.tokens_out
  FROM masecon.execution_events AS e
 WHERE e.ingest_xid >= masecon.rollup_watermark();
COMMENT ON VIEW masecon.spend_by_key IS
    'spend rows per customer, workflow, agent and model from the rollups and the events not merged yet; sum them for exact totals';

-- The three breakdowns share one shape: the customer, the key, the sums,
-- and the key's share of the customer's total cost (NULL when that total
-- is zero).
CREATE VIEW masecon.agent_costs AS
SELECT k.customer_id,
       nullif(k.agent_id, '') AS agent_id,
       pg_catalog.sum(k.cost) AS cost,
       pg_catalog.sum(k.executions)::bigint AS executions,
       pg_catalog.sum(k.tokens_in + k.tokens_out) AS tokens,
       pg_catalog.sum(k.cost)
           / nullif(pg_catalog.sum(pg_catalog.sum(k.cost))
                                   OVER (PARTITION BY k.customer_id), 0) AS share
  FROM masecon.spend_by_key AS k
 GROUP BY k.customer_id, k.agent_id
HAVING pg_catalog.sum(k.executions) <> 0;
COMMENT ON VIEW masecon.agent_costs IS
    'cost, executions, tokens (in plus out) and share of the customer''s total cost per customer and agent, over all stored events';

CREATE VIEW masecon.model_costs AS
SELECT k.customer_id,
       k.model_name,
       pg_catalog.sum(k.cost) AS cost,
       pg_catalog.sum(k.executions)::bigint AS executions,
       pg_catalog.sum(k.tokens_in + k.tokens_out) AS tokens,
       pg_catalog.sum(k.cost)
           / nullif(pg_catalog.sum(pg_catalog.sum(k.cost))
                                   OVER (PARTITION BY k.customer_id), 0) AS share
  FROM masecon.spend_by_key AS k
 GROUP BY k.customer_id, k.model_name
HAVING pg_catalog.sum(k.executions) <> 0;
COMMENT ON VIEW masecon.model_costs IS
    'cost, executions, tokens (in plus out) and share of the customer''s total cost per customer and model name as the producer sent it, over all stored events';

CREATE VIEW masecon.workflow_costs AS
SELECT k.customer_id,
       k.workflow_id,
       pg_catalog.sum(k.cost) AS cost,
       pg_catalog.sum(k.executions)::bigint AS executions,
       pg_catalog.sum(k.tokens_in + k.tokens_out) AS tokens,
       pg_catalog.sum(k.cost)
           / nullif(pg_catalog.sum(pg_catalog.sum(k.cost))
                                   OVER (PARTITION BY k.customer_id), 0) AS share
  FROM masecon.spend_by_key AS k
 GROUP BY k.customer_id, k.workflow_id
HAVING pg_catalog.sum(k.executions) <> 0;
COMMENT ON VIEW masecon.workflow_costs IS
    'cost, executions, tokens (in plus out) and share of the customer''s total cost per customer and workflow, over all stored events';

-- A spike is a day of the window (today in the customer's time zone and
-- the days before it) whose cost exceeds factor times the customer's
-- average daily cost, averaged over the window's days that have events.
-- The comparison is cost * days_with_events > factor * window_cost, in
-- exact numeric arithmetic, so a day exactly at the factor is no spike
-- whatever the rounding of the average.  mas_cost_spikes below is the same query with the window and
-- the factor as arguments.
CREATE VIEW masecon.cost_spikes AS
SELECT w."time",
       w.day,
       w.customer_id,
       w.cost,
       w.window_cost / w.days_with_events AS average_daily_cost,
       w.cost * w.days_with_events / nullif(w.window_cost, 0) AS ratio
  FROM (SELECT d."time",
               d.day,
               d.customer_id,
               d.cost,
               pg_catalog.sum(d.cost) OVER (PARTITION BY d.customer_id) AS window_cost,
               pg_catalog.count(*) OVER (PARTITION BY d.customer_id) AS days_with_events
          FROM masecon.daily_costs AS d
         WHERE d.day > (pg_catalog.now() AT TIME ZONE d.time_zone)::date - 30
           AND d.day <= (pg_catalog.now() AT TIME ZONE d.time_zone)::date) AS w
 WHERE w.cost * w.days_with_events > 2 * w.window_cost;
COMMENT ON VIEW masecon.cost_spikes IS
    'days of the last 30 (today included, in the customer''s time zone) whose cost exceeds 2x the customer''s average daily cost over the days of those 30 that have events';

CREATE FUNCTION masecon.mas_cost_spikes(days integer DEFAULT 30, factor numeric DEFAULT 2)
RETURNS TABLE ("time" timestamptz, day date, customer_id text, cost numeric,
               average_daily_cost numeric, ratio numeric)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF days IS NULL OR days < 1 THEN
        RAISE EXCEPTION 'days must be 1 or more, not %', coalesce(days::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'days is the length of the window in calendar days, today included.';
    END IF;
    IF factor IS NULL OR factor <= 0 OR factor::text IN ('NaN', 'Infinity') THEN
        RAISE EXCEPTION 'factor must be a finite number above 0, not %', coalesce(factor::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A day is a spike when its cost exceeds factor times the average daily cost; 2 is the default.';
    END IF;

    RETURN QUERY
    SELECT w."time",
           w.day,
           w.customer_id,
           w.cost,
           w.window_cost / w.days_with_events,
           w.cost * w.days_with_events / nullif(w.window_cost, 0)
      FROM (SELECT d."time",
                   d.day,
                   d.customer_id,
                   d.cost,
                   sum(d.cost) OVER (PARTITION BY d.customer_id) AS window_cost,
                   count(*) OVER (PARTITION BY d.customer_id) AS days_with_events
              FROM masecon.daily_costs AS d
             WHERE d.day > (now() AT TIME ZONE d.time_zone)::date - mas_cost_spikes.days
               AND d.day <= (now() AT TIME ZONE d.time_zone)::date) AS w
     WHERE w.cost * w.days_with_events > mas_cost_spikes.factor * w.window_cost
     ORDER BY w.customer_id, w.day;
END
$$;
COMMENT ON FUNCTION masecon.mas_cost_spikes(integer, numeric) IS
    'days of the last days days (today included, in the customer''s time zone) whose cost exceeds factor times the customer''s average daily cost over the days of the window that have events';

-- The window is days x 24 hours back from now(), counted in hours so that
-- the session's time zone and its daylight saving changes do not move it.
-- Events stamped after now() count too, so none drops out of the summary.
CREATE FUNCTION masecon.mas_cost_summary(
    days integer DEFAULT 30,
    customer_id text DEFAULT NULL,
    OUT total_cost numeric,
    OUT execution_count bigint,
    OUT avg_cost_per_execution numeric,
    OUT total_tokens numeric)
RETURNS record
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    since timestamptz;
BEGIN
    IF days IS NULL OR days < 1 THEN
        RAISE EXCEPTION 'days must be 1 or more, not %', coalesce(days::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'days is the length of the window in 24-hour days back from now.';
    END IF;
    since := now() - make_interval(hours => days * 24);

    -- The rollups give whole 15-minute buckets, the events the partial
    -- bucket at the start of the window and the events not merged yet.
    SELECT w.cost, w.executions, w.cost / nullif(w.executions, 0),
           w.tokens_in + w.tokens_out
      INTO total_cost, execution_count, avg_cost_per_execution, total_tokens
      FROM masecon.window_spend(mas_cost_summary.customer_id, since, 'infinity') AS w;
END
$$;
COMMENT ON FUNCTION masecon.mas_cost_summary(integer, text) IS
    'total cost, execution count, average cost per execution (NULL without events) and tokens in plus out over the last days x 24 hours, for one customer or all when customer_id is NULL';

-- Events number :first to :last of the history that bench/history grows,
-- inserted through the pricing trigger in one statement.  Even numbers
-- fall on the current day of the customer's policy time zone, before
-- now(), and odd numbers on the 89 days before it, so every prefix of the
-- history is half today.  Each half is generated in timestamp order and
-- spread over its whole range, so each statement sweeps the time index
-- twice.  Every hundredth number also adds one event for one of three
-- smaller customers.

\set ON_ERROR_STOP on

-- The workflows are registered first, as bench/setup.sql does: the pricing
-- trigger takes an advisory lock for each workflow it registers, and a
-- million events of 20,000 new workflows would need more locks than one
-- transaction can hold.
INSERT INTO masecon.workflows (customer_id, workflow_id)
SELECT DISTINCT 'bench-big',
       CASE WHEN i % 2 = 0 THEN 'big-today-' ELSE 'big-past-' END || i / 100
  FROM pg_catalog.generate_series(:first::bigint, :last::bigint) AS i
UNION
SELECT 'bench-other-' || i / 100 % 3, 'other-' || i / 100 % 3 || '-' || i / 5000
  FROM pg_catalog.generate_series(:first::bigint, :last::bigint) AS i
 WHERE i % 100 = 0
ON CONFLICT DO NOTHING;

INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name,
     tokens_in, cached_tokens_in, tokens_out, tool_calls, tool_cost_total,
     latency_ms, confidence_score, "timestamp")
WITH day AS MATERIALIZED (
    SELECT masecon.policy_day_start(masecon.policy_day(pg_catalog.now(), p.time_zone), p.time_zone)
               AS today_start,
           pg_catalog.now() AS now
      FROM masecon.budget_policies AS p
     WHERE p.customer_id = 'bench-big'),
numbered AS (
    SELECT i,
           (i - :first)::double precision / (:last - :first + 1) AS position,
           i % 2 = 0 AS today
      FROM pg_catalog.generate_series(:first::bigint, :last::bigint) AS i),
events AS (
    SELECT 'big-' || n.i AS execution_id,
           'bench-big' AS customer_id,
           CASE WHEN n.today THEN 'big-today-' ELSE 'big-past-' END || n.i / 100 AS workflow_id,
           n.i,
           CASE WHEN n.today THEN d.today_start + (d.now - d.today_start) * n.position
                ELSE d.today_start - interval '89 days' * (1 - n.position)
           END AS at
      FROM numbered AS n, day AS d
    UNION ALL
    SELECT 'other-' || n.i,
           'bench-other-' || n.i / 100 % 3,
           'other-' || n.i / 100 % 3 || '-' || n.i / 5000,
           n.i,
           d.now - interval '90 days' * (1 - n.position)
      FROM numbered AS n, day AS d
     WHERE n.i % 100 = 0)
SELECT e.execution_id, e.customer_id, e.workflow_id,
       (ARRAY['planner', 'researcher', 'writer', 'reviewer', 'coder'])[1 + e.i % 5],
       (ARRAY['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet-20241022', 'claude-3-haiku-20240307'])[1 + e.i / 5 % 4],
       200 + e.i * 7919 % 19800,
       e.i * 7919 % 19800 / 4,
       20 + e.i * 104729 % 1980,
       e.i % 4,
       e.i % 4 * 0.0015,
       200 + e.i * 31 % 8800,
       0.9,
       e.at
  FROM events AS e;

-- Dashboard views: daily_costs in each customer's policy time zone, and
-- the agent, model and workflow breakdowns with their shares.

SET TimeZone = 'UTC';
BEGIN;

-- Round prices make the costs easy to check by hand: dash-flat costs
-- 1.00 per 1M input tokens and 2.00 per 1M output tokens, dash-double twice that.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('dash-flat', 'test', 1, 2), ('dash-double', 'test', 2, 4);

INSERT INTO masecon.budget_policies (customer_id, time_zone)
VALUES ('dv-tokyo', 'Asia/Tokyo'), ('dv-newyork', 'America/New_York');

INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, tool_cost_total, "timestamp")
VALUES
    -- Tokyo is UTC+9: t1 is the last second of 9 March there, t2 the
    -- first instant of 10 March, although both fall on 9 March in UTC.
    ('t1', 'dv-tokyo', 'dv-t-1', 'planner', 'dash-flat',    1000000,      0, 0,    '2026-03-09 14:59:59+00'),
    ('t2', 'dv-tokyo', 'dv-t-1', 'writer',  'dash-flat',          0, 500000, 0.25, '2026-03-09 15:00:00+00'),
    ('t3', 'dv-tokyo', 'dv-t-2', 'writer',  'dash-double',   250000, 250000, 0,    '2026-03-10 03:00:00+00'),
    ('t4', 'dv-tokyo', 'dv-t-2', 'planner', 'dash-unknown',     100,      0, 0.25, '2026-03-10 14:59:59.999999+00'),
    -- New York moves from UTC-5 to UTC-4 at 02:00 local on 8 March 2026,
    -- so its 8 March has 23 hours.
    ('n1', 'dv-newyork', 'dv-n-1', 'planner', 'dash-flat',   100000,  50000, 0,    '2026-03-08 04:59:59+00'),
    ('n2', 'dv-newyork', 'dv-n-1', 'planner', 'dash-flat',   300000,      0, 0,    '2026-03-08 05:00:00+00'),
    ('n3', 'dv-newyork', 'dv-n-1', 'writer',  'dash-flat',        0, 250000, 0,    '2026-03-09 03:59:59+00'),
    ('n4', 'dv-newyork', 'dv-n-2', 'writer',  'dash-double', 1000000,      0, 0,    '2026-03-09 04:00:00+00'),
    -- No policy: days are UTC days.  u2 has no agent.
    ('u1', 'dv-utc', 'dv-u-1', 'planner', 'dash-flat',            0, 1000000, 0,   '2026-03-09 23:59:59.999999+00'),
    ('u2', 'dv-utc', 'dv-u-1', NULL,      'dash-flat',       500000,      0, 0,    '2026-03-10 00:00:00+00'),
    -- Unpriced with no tool cost: the customer's total is zero.
    ('z1', 'dv-zero', 'dv-z-1', 'planner', 'dash-unknown',     1000,    100, 0,    '2026-03-10 00:00:00+00');

SELECT execution_id, execution_cost_total, price_status
  FROM masecon.execution_events WHERE customer_id LIKE 'dv-%' ORDER BY customer_id, execution_id;

-- One row per customer and local day; "time" is the local midnight.
SELECT * FROM masecon.daily_costs WHERE customer_id LIKE 'dv-%' ORDER BY customer_id, day;

-- The session's time zone changes how "time" prints, never the buckets.
CREATE TEMP TABLE daily_costs_utc AS SELECT * FROM masecon.daily_costs WHERE customer_id LIKE 'dv-%';
SET LOCAL TimeZone = 'Pacific/Auckland';
SELECT count(*) AS rows_that_differ
  FROM ((SELECT * FROM masecon.daily_costs WHERE customer_id LIKE 'dv-%' EXCEPT SELECT * FROM daily_costs_utc)
        UNION ALL
        (SELECT * FROM daily_costs_utc EXCEPT SELECT * FROM masecon.daily_costs WHERE customer_id LIKE 'dv-%')) AS d;
SET LOCAL TimeZone = 'UTC';

-- A query for one customer returns the same rows.
SELECT day, cost FROM masecon.daily_costs WHERE customer_id = 'dv-tokyo' ORDER BY day;

-- The views read the policy when queried: a customer whose policy moves
-- to UTC has its history bucketed in UTC.
UPDATE masecon.budget_policies SET time_zone = 'UTC' WHERE customer_id = 'dv-tokyo';
SELECT "time", day, cost, executions, time_zone FROM masecon.daily_costs WHERE customer_id = 'dv-tokyo' ORDER BY day;

-- Breakdowns over all stored events; share is of the customer's total
-- cost (4.00 for dv-tokyo), NULL when that total is zero.
SELECT * FROM masecon.agent_costs WHERE customer_id LIKE 'dv-%' ORDER BY customer_id, agent_id;
SELECT * FROM masecon.model_costs WHERE customer_id LIKE 'dv-%' ORDER BY customer_id, model_name;
SELECT * FROM masecon.workflow_costs WHERE customer_id LIKE 'dv-%' ORDER BY customer_id, workflow_id;

-- Shares of a customer with a non-zero total add up to 1.
SELECT v.customer_id, v.view, v.total_share
  FROM (SELECT customer_id, 'agent_costs' AS view, sum(share) AS total_share FROM masecon.agent_costs GROUP BY 1
        UNION ALL
        SELECT customer_id, 'model_costs', sum(share) FROM masecon.model_costs GROUP BY 1
        UNION ALL
        SELECT customer_id, 'workflow_costs', sum(share) FROM masecon.workflow_costs GROUP BY 1) AS v
 WHERE v.customer_id IN ('dv-tokyo', 'dv-newyork', 'dv-utc')
 ORDER BY 1, 2;

ROLLBACK;

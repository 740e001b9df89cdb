-- cost_spikes and mas_cost_spikes: a day is a spike when its cost exceeds
-- the factor times the average daily cost of the window's days with
-- events, never when it is exactly at it.

SET TimeZone = 'UTC';
BEGIN;

INSERT INTO masecon.budget_policies (customer_id, time_zone)
VALUES ('sp-at', 'Asia/Tokyo'), ('sp-window', 'America/New_York');

-- gpt-4o with no tokens costs nothing, so each event costs its tool cost.
-- Each event is at local noon of the day `days_ago` days before today in
-- the customer's time zone.
CREATE TEMP TABLE spike_days (customer_id text, days_ago integer, cost numeric);
INSERT INTO spike_days VALUES
    -- average (1 + 1 + 1 + 3) / 4 = 1.5; 3 is exactly 2 x 1.5
    ('sp-at', 3, 1), ('sp-at', 2, 1), ('sp-at', 1, 1), ('sp-at', 0, 3),
    -- average 6.01 / 4 = 1.5025; 3.01 / 1.5025 = 2.0033...
    ('sp-above', 3, 1), ('sp-above', 2, 1), ('sp-above', 1, 1), ('sp-above', 0, 3.01),
    -- average 5.99 / 4 = 1.4975; 2.99 / 1.4975 = 1.9966...
    ('sp-below', 3, 1), ('sp-below', 2, 1), ('sp-below', 1, 1), ('sp-below', 0, 2.99),
    -- 30 days ago is outside the 30-day window and tomorrow is after it;
    -- inside it the average is (1 + 1 + 5) / 3 = 2.333... and 5 is a spike.
    ('sp-window', 30, 100), ('sp-window', 29, 1), ('sp-window', 1, 1), ('sp-window', 0, 5),
    ('sp-window', -1, 50);

INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out, tool_cost_total, "timestamp")
SELECT s.customer_id || '-' || s.days_ago, s.customer_id, s.customer_id || '-wf', 'gpt-4o', 0, 0, s.cost,
       (((now() AT TIME ZONE z.time_zone)::date - s.days_ago) + time '12:00') AT TIME ZONE z.time_zone
  FROM spike_days AS s
  LEFT JOIN masecon.budget_policies AS p ON p.customer_id = s.customer_id
 CROSS JOIN LATERAL (SELECT coalesce(p.time_zone, 'UTC')) AS z(time_zone);

SELECT customer_id, (now() AT TIME ZONE coalesce(p.time_zone, 'UTC'))::date - day AS days_ago,
       cost, executions
  FROM masecon.daily_costs LEFT JOIN masecon.budget_policies AS p USING (customer_id)
 WHERE customer_id LIKE 'sp-%' ORDER BY customer_id, day;

-- The view: only sp-above and sp-window have a spike, both today.
SELECT s.customer_id,
       (now() AT TIME ZONE coalesce(p.time_zone, 'UTC'))::date - s.day AS days_ago,
       s."time" = (s.day::timestamp AT TIME ZONE coalesce(p.time_zone, 'UTC')) AS time_is_local_midnight,
       s.cost, s.average_daily_cost, s.ratio
  FROM masecon.cost_spikes AS s LEFT JOIN masecon.budget_policies AS p USING (customer_id)
 WHERE s.customer_id LIKE 'sp-%' ORDER BY s.customer_id;

-- With the defaults the function returns what the view does.
SELECT count(*) AS rows_that_differ
  FROM ((SELECT * FROM masecon.cost_spikes WHERE customer_id LIKE 'sp-%'
         EXCEPT SELECT * FROM masecon.mas_cost_spikes() WHERE customer_id LIKE 'sp-%')
        UNION ALL
        (SELECT * FROM masecon.mas_cost_spikes() WHERE customer_id LIKE 'sp-%'
         EXCEPT SELECT * FROM masecon.cost_spikes WHERE customer_id LIKE 'sp-%')) AS d;

-- Over 7 days with factor 1.5, sp-window's average is (1 + 5) / 2 = 3,
-- and every customer's today is a spike.
SELECT customer_id, cost, average_daily_cost, ratio
  FROM masecon.mas_cost_spikes(7, 1.5) WHERE customer_id LIKE 'sp-%' ORDER BY customer_id;

-- A window of one day: the day is its own average, never a spike at factor 1.
SELECT count(*) AS spikes FROM masecon.mas_cost_spikes(1, 1) WHERE customer_id LIKE 'sp-%';

ROLLBACK;

-- Rejected arguments.
SELECT * FROM masecon.mas_cost_spikes(0);
SELECT * FROM masecon.mas_cost_spikes(NULL);
SELECT * FROM masecon.mas_cost_spikes(30, 0);
SELECT * FROM masecon.mas_cost_spikes(30, -1);
SELECT * FROM masecon.mas_cost_spikes(30, NULL);
SELECT * FROM masecon.mas_cost_spikes(30, 'NaN');

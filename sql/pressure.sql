-- Budget pressure: the forecast, the pure level rules, and
-- masecon.mas_pressure(customer_id, at) on stored events.
\pset null '(null)'
\set SHOW_CONTEXT never

-- The forecast: spend + (1 - f) x (spend + (1 - f) x recent_daily_average).
SELECT d.spend, d.average, d.fraction,
       masecon.mas_pressure_forecast(d.spend, d.average, d.fraction) AS forecast
  FROM (VALUES (0, 0, 0), (5, 0, 0.5), (6, 8, 0.5), (1, 4, 0), (3, 4, 1), (0.5, 0, 0.25))
       AS d(spend, average, fraction);
-- STRICT: a NULL input gives NULL.
SELECT masecon.mas_pressure_forecast(NULL, 0, 0.5) AS forecast;
SELECT masecon.mas_pressure_forecast(1, 0, 1.5);
SELECT masecon.mas_pressure_forecast(1, 0, -0.1);
SELECT masecon.mas_pressure_forecast(-1, 0, 0.5);
SELECT masecon.mas_pressure_forecast(1, 'NaN', 0.5);

-- The pure level rules with a daily budget of 10 and amber_threshold 0.7.
SELECT d.spend, d.forecast, d.budget, masecon.mas_pressure(d.spend, d.forecast, d.budget) AS level
  FROM (VALUES (0, 7, 10), (0, 7.01, 10), (9, 10, 10), (9, 10.01, 10),
               (10.5, 9, 10), (1000, 1000, NULL), (0, 0, 0), (0, 0.01, 0))
       AS d(spend, forecast, budget);
-- Another amber_threshold: 0.5 of 10 is 5; at 1 there is no AMBER.
SELECT masecon.mas_pressure(0, 5, 10, 0.5) AS at_half,
       masecon.mas_pressure(0, 5.01, 10, 0.5) AS above_half,
       masecon.mas_pressure(0, 10, 10, 1) AS at_budget;
SELECT masecon.mas_pressure(NULL, 1, 10);
SELECT masecon.mas_pressure(0, NULL, 10);
SELECT masecon.mas_pressure(0, 1, -10);
SELECT masecon.mas_pressure(0, 1, 10, 0);
SELECT masecon.mas_pressure(0, 1, 10, NULL);

-- Customers with a daily budget of 10 in UTC, one in Berlin.
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone)
VALUES ('gr-p-pace', 10, 'UTC'), ('gr-p-new', 10, 'UTC'), ('gr-p-over', 10, 'UTC'),
       ('gr-p-short', 10, 'UTC'), ('gr-p-berlin', 10, 'Europe/Berlin');

-- gr-p-pace spends 8 a day at noon from 1 to 7 April (and once in March,
-- outside the 7 days before 8 April), then 6 by 10:00 on 8 April.
INSERT INTO masecon.execution_events
    (customer_id, workflow_id, model_name, execution_cost_total, "timestamp")
SELECT 'gr-p-pace', 'gr-p-w', 'gr-reported-model', 8, d
  FROM pg_catalog.generate_series('2025-04-01 12:00:00+00'::timestamptz, '2025-04-07 12:00:00+00',
                                  '1 day') AS d;
INSERT INTO masecon.execution_events
    (customer_id, workflow_id, model_name, execution_cost_total, "timestamp")
VALUES ('gr-p-pace', 'gr-p-w', 'gr-reported-model', 100, '2025-03-20 12:00:00+00'),
       ('gr-p-pace', 'gr-p-w', 'gr-reported-model', 3, '2025-04-08 02:00:00+00'),
       ('gr-p-pace', 'gr-p-w', 'gr-reported-model', 3, '2025-04-08 10:00:00+00'),
       ('gr-p-pace', 'gr-p-w', 'gr-reported-model', 0.5, '2025-04-09 00:01:00+00'),
       ('gr-p-new', 'gr-p-w2', 'gr-reported-model', 0.5, '2025-04-08 00:01:00+00'),
       ('gr-p-over', 'gr-p-w3', 'gr-reported-model', 10.5, '2025-04-08 00:10:00+00'),
       ('gr-p-short', 'gr-p-w4', 'gr-reported-model', 3, '2025-04-05 12:00:00+00'),
       ('gr-p-short', 'gr-p-w4', 'gr-reported-model', 3, '2025-04-06 12:00:00+00'),
       -- 11:00 in Berlin (CEST) on 30 March 2025, a 23-hour day.
       ('gr-p-berlin', 'gr-p-w5', 'gr-reported-model', 2.3, '2025-03-30 09:00:00+00');

-- On pace to overrun: at noon on 8 April, 6 spent and 8 a day before, so
-- the forecast is 6 + 0.5 x (6 + 0.5 x 8) = 11: RED, though under budget.
SELECT * FROM masecon.mas_pressure_figures('gr-p-pace', '2025-04-08 12:00:00+00');

-- The first minutes of a day: one event of 0.5 by 00:05 with no history.
-- The run rate alone would project 0.5 / (300 / 86400) = 144; the forecast
-- is 0.5 + (1 - 1/288) x 0.5.
SELECT level, spend, forecast, history_days, recent_daily_average, elapsed_fraction
  FROM masecon.mas_pressure_figures('gr-p-new', '2025-04-08 00:05:00+00');
-- The same with 54 spent in the 7 days before: AMBER, not RED.
SELECT level, spend, round(forecast, 6) AS forecast, history_days,
       round(recent_daily_average, 6) AS recent_daily_average
  FROM masecon.mas_pressure_figures('gr-p-pace', '2025-04-09 00:05:00+00');

-- Already over the budget: RED whatever the time.
SELECT level, spend, forecast > spend AS forecast_above_spend
  FROM masecon.mas_pressure_figures('gr-p-over', '2025-04-08 00:30:00+00');

-- Two days of history before a quiet 8 April: the average is (3 + 3) / 3
-- over the 3 days since the first event, and at noon the forecast is
-- 0 + 0.5 x (0 + 0.5 x 2).
SELECT level, spend, forecast, history_days, recent_daily_average
  FROM masecon.mas_pressure_figures('gr-p-short', '2025-04-08 12:00:00+00');

-- Berlin's 30 March 2025 has 23 hours: at 12:00 local, 11 of them passed,
-- and the forecast is 2.3 + (12 / 23) x 2.3 = 3.5.
SELECT level, day, time_zone, spend, round(forecast, 12) AS forecast,
       round(elapsed_fraction * 23, 12) AS hours_elapsed
  FROM masecon.mas_pressure_figures('gr-p-berlin', '2025-03-30 12:00:00+02');

-- No policy: no budget, GREEN, no ratio.
SELECT level, time_zone, spend, forecast, budget, ratio
  FROM masecon.mas_pressure_figures('gr-p-nobody', '2025-04-08 12:00:00+00');

-- masecon.mas_pressure returns the level alone.
SELECT masecon.mas_pressure('gr-p-pace', '2025-04-08 12:00:00+00') AS pace,
       masecon.mas_pressure('gr-p-new', '2025-04-08 00:05:00+00') AS new,
       masecon.mas_pressure('gr-p-nobody') AS nobody;

SELECT * FROM masecon.mas_pressure_figures(NULL);
SELECT * FROM masecon.mas_pressure_figures('gr-p-pace', NULL);

DELETE FROM masecon.execution_events WHERE customer_id LIKE 'gr-%';
DELETE FROM masecon.workflows WHERE customer_id LIKE 'gr-%';
DELETE FROM masecon.budget_policies WHERE customer_id LIKE 'gr-%';

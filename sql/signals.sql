-- Signals: masecon.send_signal notifies a worsened level once, and the
-- insert trigger calls it for each customer with a policy.  The NOTIFY
-- itself is received by a real client in test/cluster/signals.sh.
\pset null '(null)'
\set SHOW_CONTEXT never

INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone)
VALUES ('gr-s-a', 10, 'UTC');

-- 3 spent by 23:00 with no history: PASS, forecast 3 + (1/24) x 3 = 3.125,
-- GREEN.  Nothing to notify, but the day's row is written with its levels
-- and history.  (The inserts evaluate today as well; those rows are left
-- out here by their day.)
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total, "timestamp")
VALUES ('gr-s-a', 'gr-s-w', 'gr-reported-model', 3, '2025-05-01 10:00:00+00');
SELECT masecon.send_signal('gr-s-a', 'gr-s-w', 1, '2025-05-01 23:00:00+00') AS notified;
SELECT day, signal, pressure, history_days, recent_daily_average, notified_at FROM masecon.signal_state
 WHERE customer_id = 'gr-s-a' AND day < '2025-06-01';

-- 9 spent: WARN (above 8) and AMBER (forecast 9.375 above 7), notified once.
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total, "timestamp")
VALUES ('gr-s-a', 'gr-s-w', 'gr-reported-model', 6, '2025-05-01 11:00:00+00');
SELECT masecon.send_signal('gr-s-a', 'gr-s-w', 1, '2025-05-01 23:00:00+00') AS notified;
SELECT masecon.send_signal('gr-s-a', 'gr-s-w', 1, '2025-05-01 23:00:00+00') AS notified_again;
SELECT day, signal, pressure, notified_at FROM masecon.signal_state
 WHERE customer_id = 'gr-s-a' AND day < '2025-06-01';

-- 9.5 spent: still WARN and AMBER, so nothing new.
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total, "timestamp")
VALUES ('gr-s-a', 'gr-s-w', 'gr-reported-model', 0.5, '2025-05-01 12:00:00+00');
SELECT masecon.send_signal('gr-s-a', 'gr-s-w', 1, '2025-05-01 23:00:00+00') AS notified;

-- 10.5 spent: BLOCK and RED, notified; after that nothing can get worse.
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total, "timestamp")
VALUES ('gr-s-a', 'gr-s-w', 'gr-reported-model', 1, '2025-05-01 13:00:00+00');
SELECT masecon.send_signal('gr-s-a', 'gr-s-w', 1, '2025-05-01 23:30:00+00') AS notified;
SELECT masecon.send_signal('gr-s-a', 'gr-s-w', 1, '2025-05-01 23:45:00+00') AS notified_again;
SELECT day, signal, pressure, notified_at FROM masecon.signal_state
 WHERE customer_id = 'gr-s-a' AND day < '2025-06-01';

-- A changed policy drops the notified levels: with a budget of 20 the day
-- is PASS and GREEN, and back at 10 BLOCK and RED is notified again.
UPDATE masecon.budget_policies SET daily_budget_limit = 20 WHERE customer_id = 'gr-s-a';
SELECT count(*) AS state_rows FROM masecon.signal_state WHERE customer_id = 'gr-s-a' AND day < '2025-06-01';
SELECT masecon.send_signal('gr-s-a', 'gr-s-w', 1, '2025-05-01 23:50:00+00') AS notified;
UPDATE masecon.budget_policies SET daily_budget_limit = 10 WHERE customer_id = 'gr-s-a';
SELECT masecon.send_signal('gr-s-a', 'gr-s-w', 1, '2025-05-01 23:50:00+00') AS notified;

-- A new day starts from PASS and GREEN.  At 01:00 on 2 May nothing is spent,
-- but the one day of history (10.5) forecasts (23/24) x (23/24) x 10.5,
-- above 7: AMBER.  The row of 1 May is deleted.
SELECT masecon.send_signal('gr-s-a', 'gr-s-w', 1, '2025-05-02 01:00:00+00') AS notified;
SELECT day, signal, pressure, history_days, recent_daily_average FROM masecon.signal_state
 WHERE customer_id = 'gr-s-a' AND day < '2025-06-01';

-- A customer without a policy is never notified.
SELECT masecon.send_signal('gr-s-nobody', 'gr-s-w', 1, '2025-05-01 23:00:00+00') AS notified;

-- NOTIFY rejects a payload of 8000 bytes or more; the reasons naming 200
-- long model names are dropped from it rather than lose the notification.
INSERT INTO masecon.budget_policies (customer_id) VALUES ('gr-s-big');
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, "timestamp")
SELECT 'gr-s-big', 'gr-s-w-big', 'gr-unknown-model-with-a-long-name-' || pg_catalog.lpad(i::text, 30, '0'),
       '2025-05-01 10:00:00+00'
  FROM pg_catalog.generate_series(1, 200) AS i;
SELECT pg_catalog.octet_length(pg_catalog.array_to_string(reasons, ',')) > 8000 AS long_reasons
  FROM masecon.mas_evaluate_guardrail('gr-s-big', at => '2025-05-01 12:00:00+00');
SELECT masecon.send_signal('gr-s-big', 'gr-s-w-big', 200, '2025-05-01 12:00:00+00') AS notified;
SELECT signal, pressure FROM masecon.signal_state WHERE customer_id = 'gr-s-big' AND day = '2025-05-01';

-- The insert trigger evaluates now(): a step of 2 against a budget of 1 is
-- BLOCK and RED at any time of day.
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone)
VALUES ('gr-s-now', 1, 'Asia/Tokyo'), ('gr-s-m1', 1, 'UTC'), ('gr-s-m2', 1, 'America/New_York');
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-now', 'gr-s-w-now', 'gr-reported-model', 2);
SELECT signal, pressure, day = masecon.policy_day(now(), 'Asia/Tokyo') AS today_in_tokyo
  FROM masecon.signal_state WHERE customer_id = 'gr-s-now';

-- One statement for several customers evaluates each with a policy once.
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-m1', 'gr-s-w-m1', 'gr-reported-model', 0.5),
       ('gr-s-m2', 'gr-s-w-m2', 'gr-reported-model', 2),
       ('gr-s-m1', 'gr-s-w-m1', 'gr-reported-model', 0.75),
       ('gr-s-m3', 'gr-s-w-m3', 'gr-reported-model', 2);
SELECT customer_id, signal, pressure
  FROM masecon.signal_state WHERE customer_id IN ('gr-s-m1', 'gr-s-m2', 'gr-s-m3') ORDER BY 1;

-- A policy created after this session saw the customer without one takes
-- effect on the next insert.
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-late', 'gr-s-w-late', 'gr-reported-model', 2);
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ('gr-s-late', 1);
SELECT count(*) AS state_rows FROM masecon.signal_state WHERE customer_id = 'gr-s-late';
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-late', 'gr-s-w-late', 'gr-reported-model', 0.01);
SELECT signal, pressure FROM masecon.signal_state WHERE customer_id = 'gr-s-late';

-- A failure to evaluate the signal loses the notification, not the event.
BEGIN;
ALTER TABLE masecon.signal_state RENAME TO signal_state_moved;
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-kept', 'gr-s-now', 'gr-s-w-now', 'gr-reported-model', 1);
SELECT count(*) AS kept FROM masecon.execution_events WHERE execution_id = 'gr-s-kept';
ROLLBACK;

-- The signal counts the day below an ingest_xid boundary and reads only the
-- events at or above it.  With masecon.signal_tail_max at 2, a statement
-- that reads 3 or more such events moves the boundary.  Steps of 3 against
-- a budget of 10 (warn line 8) are PASS, PASS, WARN, BLOCK, each insert in
-- its own transaction.
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ('gr-s-tail', 10);
SET masecon.signal_tail_max = 2;
CREATE TEMP TABLE tail_steps (step integer, signal masecon.guardrail_signal, counted_spend numeric,
                              signal_spend numeric, daily_spend numeric);
CREATE FUNCTION pg_temp.record_tail_step(step integer) RETURNS void
LANGUAGE sql AS $$
INSERT INTO tail_steps
SELECT step, s.signal, s.counted_spend,
       s.counted_spend + coalesce((SELECT sum(e.execution_cost_total) FROM masecon.execution_events AS e
                                    WHERE e.customer_id = s.customer_id
                                      AND e.ingest_xid >= s.counted_below), 0),
       (SELECT d.cost FROM masecon.daily_spend(s.customer_id, s.day, s.day) AS d)
  FROM masecon.signal_state AS s WHERE s.customer_id = 'gr-s-tail'
$$;
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-tail', 'gr-s-w-tail', 'gr-reported-model', 3);
SELECT pg_temp.record_tail_step(1);
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-tail', 'gr-s-w-tail', 'gr-reported-model', 0.001);
SELECT pg_temp.record_tail_step(2);
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-tail', 'gr-s-w-tail', 'gr-reported-model', 3);
SELECT pg_temp.record_tail_step(3);
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-tail', 'gr-s-w-tail', 'gr-reported-model', 3);
SELECT pg_temp.record_tail_step(4);
-- A merge in between leaves the counted spend exact.
SELECT masecon.merge_rollups() > 0 AS merged;
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-tail', 'gr-s-w-tail', 'gr-reported-model', 1);
SELECT pg_temp.record_tail_step(5);
SELECT * FROM tail_steps ORDER BY step;

-- An unpriced model counted below the boundary still makes the day WARN.
INSERT INTO masecon.budget_policies (customer_id) VALUES ('gr-s-tail-unpriced');
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name)
VALUES ('gr-s-tail-unpriced', 'gr-s-w-tu', 'gr-unknown-tail-model');
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
SELECT 'gr-s-tail-unpriced', 'gr-s-w-tu', 'gr-reported-model', 0 FROM generate_series(1, 3);
UPDATE masecon.signal_state SET signal = 'PASS' WHERE customer_id = 'gr-s-tail-unpriced';
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-tail-unpriced', 'gr-s-w-tu', 'gr-reported-model', 0);
SELECT signal, counted_unpriced_models FROM masecon.signal_state WHERE customer_id = 'gr-s-tail-unpriced';

-- An update or a delete of counted events clears the boundary, so the next
-- insert counts the day again from the rollups.  Cutting the first step of 3
-- to 0 brings 10.001 down to 7.001, and a policy reset then drops the BLOCK.
UPDATE masecon.execution_events SET execution_cost_total = 0, reported_cost = 0
 WHERE customer_id = 'gr-s-tail' AND execution_cost_total = 3
   AND "timestamp" = (SELECT min("timestamp") FROM masecon.execution_events WHERE customer_id = 'gr-s-tail');
SELECT counted_below IS NULL AS uncounted FROM masecon.signal_state WHERE customer_id = 'gr-s-tail';
UPDATE masecon.budget_policies SET daily_budget_limit = 10 WHERE customer_id = 'gr-s-tail';
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-tail', 'gr-s-w-tail', 'gr-reported-model', 0);
SELECT signal, counted_below IS NOT NULL AS counted, counted_spend FROM masecon.signal_state
 WHERE customer_id = 'gr-s-tail';

-- Deleting the 0.001 step and adding 0.5 gives 7.5: PASS.
DELETE FROM masecon.execution_events WHERE customer_id = 'gr-s-tail' AND execution_cost_total = 0.001;
SELECT counted_below IS NULL AS uncounted FROM masecon.signal_state WHERE customer_id = 'gr-s-tail';
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-tail', 'gr-s-w-tail', 'gr-reported-model', 0.5);
SELECT signal, counted_spend,
       (SELECT d.cost FROM masecon.daily_spend(s.customer_id, s.day, s.day) AS d) AS daily_spend
  FROM masecon.signal_state AS s WHERE customer_id = 'gr-s-tail';

-- Raising the counted step of 0 to 1 gives 8.5: WARN.  A stale count
-- would see 7.5 and stay PASS.
UPDATE masecon.execution_events SET execution_cost_total = 1, reported_cost = 1
 WHERE customer_id = 'gr-s-tail'
   AND "timestamp" = (SELECT min("timestamp") FROM masecon.execution_events WHERE customer_id = 'gr-s-tail');
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-tail', 'gr-s-w-tail', 'gr-reported-model', 0);
SELECT signal, (SELECT d.cost FROM masecon.daily_spend(s.customer_id, s.day, s.day) AS d) AS daily_spend
  FROM masecon.signal_state AS s WHERE customer_id = 'gr-s-tail';

-- Deleting a counted step of 3 and adding 4 gives 9.5: still WARN.  A
-- stale count would see 12.5 and notify BLOCK.
DELETE FROM masecon.execution_events
 WHERE ctid = (SELECT min(ctid) FROM masecon.execution_events
                WHERE customer_id = 'gr-s-tail' AND execution_cost_total = 3);
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, execution_cost_total)
VALUES ('gr-s-tail', 'gr-s-w-tail', 'gr-reported-model', 4);
SELECT signal, (SELECT d.cost FROM masecon.daily_spend(s.customer_id, s.day, s.day) AS d) AS daily_spend
  FROM masecon.signal_state AS s WHERE customer_id = 'gr-s-tail';

-- TRUNCATE clears every boundary.
BEGIN;
TRUNCATE masecon.execution_events;
SELECT count(*) AS counted_rows FROM masecon.signal_state WHERE counted_below IS NOT NULL;
ROLLBACK;
RESET masecon.signal_tail_max;

DELETE FROM masecon.execution_events WHERE customer_id LIKE 'gr-%';
DELETE FROM masecon.workflows WHERE customer_id LIKE 'gr-%';
DELETE FROM masecon.budget_policies WHERE customer_id LIKE 'gr-%';
SELECT count(*) AS state_rows_left FROM masecon.signal_state WHERE customer_id LIKE 'gr-%';

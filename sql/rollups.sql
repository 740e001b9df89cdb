-- Spend rollups: exact figures from the rollups plus the unmerged tail,
-- before and after merges, across time zones, updates and deletes.

SET masecon.merge_every = 0;

-- Compare every reader with a recompute from the events of one customer.
CREATE FUNCTION pg_temp.rollup_differences(customer text)
RETURNS TABLE (what text, key text, rollup numeric, recomputed numeric)
LANGUAGE sql AS $$
    WITH zone AS (SELECT masecon.customer_time_zone(customer) AS name),
    direct AS (
        SELECT (e."timestamp" AT TIME ZONE zone.name)::date AS day,
               sum(e.execution_cost_total) AS cost, count(*) AS executions
          FROM masecon.execution_events AS e, zone
         WHERE e.customer_id = customer GROUP BY 1),
    via_rollups AS (
        SELECT d.day, d.cost, d.executions
          FROM masecon.daily_spend(customer, '2000-01-01', '2100-01-01') AS d)
    SELECT 'day cost', coalesce(a.day, b.day)::text, b.cost, a.cost
      FROM direct AS a FULL JOIN via_rollups AS b ON a.day = b.day
     WHERE a.cost IS DISTINCT FROM b.cost OR a.executions IS DISTINCT FROM b.executions
    UNION ALL
    SELECT 'workflow cost', w.workflow_id, k.cost, w.cost
      FROM (SELECT e.workflow_id, sum(e.execution_cost_total) AS cost
              FROM masecon.execution_events AS e WHERE e.customer_id = customer
             GROUP BY 1) AS w,
           LATERAL masecon.key_spend(customer, w.workflow_id) AS k
     WHERE k.cost IS DISTINCT FROM w.cost
    UNION ALL
    SELECT 'agent steps', a.workflow_id || '/' || a.agent, k.executions, a.executions
      FROM (SELECT e.workflow_id, coalesce(e.agent_id, '') AS agent, count(*) AS executions
              FROM masecon.execution_events AS e WHERE e.customer_id = customer
             GROUP BY 1, 2) AS a,
           LATERAL masecon.key_spend(customer, a.workflow_id, a.agent) AS k
     WHERE k.executions IS DISTINCT FROM a.executions
$$;

INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('r-1', 'roll', 'roll-wf-1', 'planner', 'gpt-4o', 1000000, 0, '2026-06-01 10:00+00'),
       ('r-2', 'roll', 'roll-wf-1', 'writer',  'gpt-4o', 0, 100000, '2026-06-01 15:07+00'),
       ('r-3', 'roll', 'roll-wf-2', NULL,      'gpt-4o-mini', 1000000, 0, '2026-06-01 15:20+00'),
       ('r-4', 'roll', 'roll-wf-2', 'planner', 'acme-private', 10, 10, '2026-06-02 23:45+00');

-- Everything is still in the tail; the readers already see it.
SELECT * FROM masecon.daily_spend('roll', '2026-06-01', '2026-06-03') ORDER BY day;
SELECT * FROM masecon.key_spend('roll');
SELECT * FROM masecon.key_spend('roll', 'roll-wf-1', 'planner');
SELECT * FROM masecon.key_spend('roll', 'roll-wf-2', '');
SELECT * FROM pg_temp.rollup_differences('roll');

-- After a merge the same figures come from the rollups.
SELECT masecon.merge_rollups() > 0 AS merged;
SELECT masecon.rollup_watermark() > 0 AS watermark_moved;
SELECT day, cost, executions, unpriced_events FROM masecon.spend_days WHERE customer_id = 'roll' ORDER BY day;
SELECT bucket, cost, executions FROM masecon.spend_buckets WHERE customer_id = 'roll' ORDER BY bucket;
SELECT workflow_id, agent_id, model_name, cost, executions FROM masecon.spend_keys
 WHERE customer_id = 'roll' ORDER BY 1, 2, 3;
SELECT * FROM masecon.daily_spend('roll', '2026-06-01', '2026-06-03') ORDER BY day;
SELECT * FROM pg_temp.rollup_differences('roll');
SELECT masecon.merge_rollups() AS merged_again;

-- New events join the tail on top of the rollups.
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('r-5', 'roll', 'roll-wf-1', 'planner', 'gpt-4o', 2000000, 0, '2026-06-01 10:05+00');
SELECT * FROM masecon.daily_spend('roll', '2026-06-01', '2026-06-01');
SELECT * FROM pg_temp.rollup_differences('roll');

-- A policy in Tokyo moves the 23:45 UTC event of 2026-06-02 to the Tokyo
-- day 2026-06-03, for merged days and the tail alike.
INSERT INTO masecon.budget_policies (customer_id, time_zone) VALUES ('roll', 'Asia/Tokyo');
SELECT day, cost, executions FROM masecon.spend_days WHERE customer_id = 'roll' ORDER BY day;
SELECT * FROM masecon.daily_spend('roll', '2026-06-01', '2026-06-03') ORDER BY day;
SELECT * FROM pg_temp.rollup_differences('roll');
UPDATE masecon.budget_policies SET time_zone = 'America/New_York' WHERE customer_id = 'roll';
SELECT * FROM masecon.daily_spend('roll', '2026-05-31', '2026-06-03') ORDER BY day;
SELECT * FROM pg_temp.rollup_differences('roll');
DELETE FROM masecon.budget_policies WHERE customer_id = 'roll';
SELECT * FROM pg_temp.rollup_differences('roll');

-- Updates and deletes of merged events keep the rollups exact; so does a
-- reprice after a catalog change.
SELECT masecon.merge_rollups() > 0 AS merged;
UPDATE masecon.execution_events SET tokens_out = 500000 WHERE execution_id = 'r-1';
SELECT * FROM pg_temp.rollup_differences('roll');
UPDATE masecon.execution_events SET workflow_id = 'roll-wf-2', agent_id = 'checker' WHERE execution_id = 'r-2';
SELECT * FROM pg_temp.rollup_differences('roll');
DELETE FROM masecon.execution_events WHERE execution_id = 'r-3';
SELECT * FROM pg_temp.rollup_differences('roll');
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('acme-private', 'acme', 1, 1);
SELECT masecon.mas_reprice() >= 1 AS repriced;
SELECT * FROM pg_temp.rollup_differences('roll');
SELECT * FROM masecon.daily_spend('roll', '2026-06-01', '2026-06-03') ORDER BY day;
DELETE FROM masecon.model_prices WHERE model_name = 'acme-private';

-- window_spend: whole buckets from the rollups, partial ones from events.
SELECT masecon.merge_rollups() >= 0 AS merged;
SELECT cost, executions FROM masecon.window_spend('roll', '2026-06-01 00:00+00', '2026-06-02 00:00+00');
SELECT cost, executions FROM masecon.window_spend('roll', '2026-06-01 10:03+00', '2026-06-01 15:10+00');
SELECT cost, executions FROM masecon.window_spend('roll', '2026-06-01 10:01+00', '2026-06-01 10:06+00');
SELECT cost, executions FROM masecon.window_spend('roll', '2026-06-01 10:06+00', '2026-06-01 15:00+00');
SELECT cost, executions FROM masecon.window_spend('roll', '2026-06-03 00:00+00', '2026-06-04 00:00+00');
SELECT (SELECT cost FROM masecon.window_spend(NULL, '-infinity', 'infinity')) =
       (SELECT sum(execution_cost_total) FROM masecon.execution_events) AS all_customers_match;

-- Inserting sessions merge by themselves every masecon.merge_every events,
-- at the first insert of a transaction.  This session has inserted more
-- than two events already, so r-6 starts a merge, which finds nothing new
-- and restarts the count; r-9 is the third insert after it and merges r-6
-- to r-8.
SET masecon.merge_every = 2;
SELECT merged_events AS merged_before FROM masecon.rollup_state \gset
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in)
VALUES ('r-6', 'roll', 'roll-wf-1', 'gpt-4o', 1);
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in)
VALUES ('r-7', 'roll', 'roll-wf-1', 'gpt-4o', 1);
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in)
VALUES ('r-8', 'roll', 'roll-wf-1', 'gpt-4o', 1);
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in)
VALUES ('r-9', 'roll', 'roll-wf-1', 'gpt-4o', 1);
SELECT merged_events - :merged_before AS merged_by_inserts FROM masecon.rollup_state;
SELECT * FROM pg_temp.rollup_differences('roll');
RESET masecon.merge_every;

-- Bucket starts: 15-minute UTC boundaries on both sides of 2000-01-01, the
-- origin of PostgreSQL's timestamps, and infinite values kept as they are.
SET TIME ZONE 'UTC';
SELECT ts, masecon.spend_bucket(ts) AS bucket
  FROM (VALUES ('2026-01-15 10:44:59.999999+00'::timestamptz),
               ('2026-01-15 10:45:00+00'),
               ('2000-01-01 00:00:00+00'),
               ('1999-12-31 23:59:59.999999+00'),
               ('1999-12-31 23:45:00+00'),
               ('1969-07-20 20:17:40+00'),
               ('infinity'),
               ('-infinity')) AS t (ts);
SELECT masecon.spend_bucket('2026-03-29 02:10:00+02') AS bucket_from_offset;
RESET TIME ZONE;

-- Rollup readers find one customer's rows through its index entries, also
-- in the generic plans that PL/pgSQL reuses after five calls, and never
-- read every rollup row or every event of the customer.

SET masecon.merge_every = 0;

-- 6000 events a minute apart from 2026-05-01 00:01 UTC, over 2000
-- workflows and three agents.
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
SELECT 'plan-' || i, 'plans', 'plans-wf-' || i % 2000, 'agent-' || i % 3, 'gpt-4o', 1000, 100,
       '2026-05-01 00:00+00'::timestamptz + i * interval '1 minute'
  FROM generate_series(1, 6000) AS i;
SELECT masecon.merge_rollups() >= 6000 AS merged;
ANALYZE masecon.execution_events, masecon.spend_keys, masecon.spend_buckets;

-- Workflow plans-wf-7 has events 7, 2007 and 4007, and only event 7 is
-- agent-1's.  Each event costs 1000 x 2.50 / 1M + 100 x 10.00 / 1M.
BEGIN;
SELECT count(*) AS calls,
       count(*) FILTER (WHERE k.cost = 0.0035 AND k.executions = 1) AS agent_right
  FROM generate_series(1, 8), LATERAL masecon.key_spend('plans', 'plans-wf-7', 'agent-1') AS k;
SELECT count(*) AS calls,
       count(*) FILTER (WHERE k.cost = 0.0105 AND k.executions = 3) AS workflow_right
  FROM generate_series(1, 8), LATERAL masecon.key_spend('plans', 'plans-wf-7') AS k;
SELECT s.seq_scan AS spend_keys_seq_scans
  FROM pg_stat_xact_user_tables AS s
 WHERE s.relid = 'masecon.spend_keys'::regclass;
COMMIT;

-- From 00:07:30 to 10:05 UTC: whole buckets from 00:15 to 10:00, events
-- 8 to 14 and 600 to 604 in the partial buckets, 597 events in all.
BEGIN;
SELECT count(*) AS calls,
       count(*) FILTER (WHERE w.cost = 597 * 0.0035 AND w.executions = 597) AS window_right
  FROM generate_series(1, 8),
       LATERAL masecon.window_spend('plans', '2026-05-01 00:07:30+00', '2026-05-01 10:05+00') AS w;
SELECT s.seq_scan AS events_seq_scans
  FROM pg_stat_xact_user_tables AS s
 WHERE s.relid = 'masecon.execution_events'::regclass;
SELECT s.seq_scan AS buckets_seq_scans
  FROM pg_stat_xact_user_tables AS s
 WHERE s.relid = 'masecon.spend_buckets'::regclass;
COMMIT;

-- The same window for all customers reads the events it must.
SELECT w.executions >= 597 AS all_customers_counted
  FROM masecon.window_spend(NULL, '2026-05-01 00:07:30+00', '2026-05-01 10:05+00') AS w;

DELETE FROM masecon.execution_events WHERE customer_id = 'plans';
SELECT masecon.merge_rollups() >= 0 AS merged;

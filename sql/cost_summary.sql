-- mas_cost_summary: cost, executions, average and tokens over the last
-- days x 24 hours, for one customer or all.

SET TimeZone = 'UTC';
BEGIN;

-- gpt-4o costs 2.50 per 1M input and 10.00 per 1M output tokens.
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out, tool_cost_total, "timestamp")
VALUES
    ('e1', 'cs-a', 'cs-a-wf', 'gpt-4o', 1000000,      0, 0,     now() - interval '1 hour'),     -- 2.50
    ('e2', 'cs-a', 'cs-a-wf', 'gpt-4o',       0, 100000, 0,     now() - interval '719 hours'),  -- 1.00
    ('e3', 'cs-a', 'cs-a-wf', 'gpt-4o',  400000,      0, 0,     now() - interval '721 hours'),  -- 1.00, 30 days and 1 hour ago
    ('e4', 'cs-b', 'cs-b-wf', 'gpt-4o',  200000,  50000, 0.002, now() - interval '2 days'),     -- 0.5 + 0.5 + 0.002
    ('e5', 'cs-c', 'cs-c-wf', 'gpt-4o',  100000,      0, 0,     now() - interval '720 hours');  -- 0.25, exactly 30 days ago

SELECT 'cs-a 30 days' AS "case", * FROM masecon.mas_cost_summary(30, 'cs-a')
UNION ALL
SELECT 'cs-a 31 days', * FROM masecon.mas_cost_summary(31, 'cs-a')
UNION ALL
SELECT 'cs-a 1 day', * FROM masecon.mas_cost_summary(1, 'cs-a')
UNION ALL
SELECT 'cs-b default', * FROM masecon.mas_cost_summary(customer_id => 'cs-b')
UNION ALL
SELECT 'cs-c 30 days', * FROM masecon.mas_cost_summary(30, 'cs-c')
UNION ALL
SELECT 'no events', * FROM masecon.mas_cost_summary(30, 'cs-nobody');

-- All customers: the same figures as a direct query over the events.
SELECT s.total_cost = e.total_cost AS total_matches,
       s.execution_count = e.execution_count AS count_matches,
       s.avg_cost_per_execution = e.total_cost / e.execution_count AS average_matches,
       s.total_tokens = e.total_tokens AS tokens_match
  FROM masecon.mas_cost_summary() AS s,
       (SELECT sum(execution_cost_total) AS total_cost, count(*) AS execution_count,
               sum(tokens_in + tokens_out) AS total_tokens
          FROM masecon.execution_events WHERE "timestamp" >= now() - interval '720 hours') AS e;

-- The window is counted in hours, so the session's time zone does not
-- move it across a daylight saving change.
SET LOCAL TimeZone = 'America/New_York';
SELECT * FROM masecon.mas_cost_summary(30, 'cs-a');
SET LOCAL TimeZone = 'UTC';

ROLLBACK;

-- Rejected arguments.
SELECT * FROM masecon.mas_cost_summary(0);
SELECT * FROM masecon.mas_cost_summary(NULL, 'cs-a');

-- masecon.mas_evaluate_guardrail(customer_id, workflow_id, agent_id,
-- proposed_cost, at): the rules applied to the stored spend, with the day
-- taken in the policy's time zone.
\pset null '(null)'
\set SHOW_CONTEXT never

-- gr-tokyo counts its days in Tokyo (UTC+9, no daylight saving time).
INSERT INTO masecon.budget_policies
    (customer_id, daily_budget_limit, workflow_budget_limit, step_limit_per_agent, time_zone)
VALUES ('gr-tokyo', 10, 6, 2, 'Asia/Tokyo'),
       ('gr-no-limits', NULL, NULL, NULL, 'UTC');

-- Costs are reported by the producer for a model outside the catalog, so
-- each event costs exactly the amount sent.
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, execution_cost_total, "timestamp")
VALUES
    -- 23:00 on 10 March in Tokyo.
    ('gr-t1', 'gr-tokyo', 'gr-w1', 'planner', 'gr-reported-model', 4, '2025-03-10 14:00:00+00'),
    -- 00:30 on 11 March in Tokyo, still 10 March in UTC.
    ('gr-t2', 'gr-tokyo', 'gr-w1', 'planner', 'gr-reported-model', 3, '2025-03-10 15:30:00+00'),
    -- The last second of 11 March in Tokyo.
    ('gr-t3', 'gr-tokyo', 'gr-w1', 'writer', 'gr-reported-model', 2, '2025-03-11 14:59:59+00'),
    -- Midnight that starts 12 March in Tokyo.
    ('gr-t4', 'gr-tokyo', 'gr-w2', 'planner', 'gr-reported-model', 1, '2025-03-11 15:00:00+00'),
    -- The same instants for gr-utc, which has no policy, so its days are UTC days.
    ('gr-u1', 'gr-utc', 'gr-u-w1', 'planner', 'gr-reported-model', 4, '2025-03-10 14:00:00+00'),
    ('gr-u2', 'gr-utc', 'gr-u-w1', 'planner', 'gr-reported-model', 3, '2025-03-10 15:30:00+00'),
    ('gr-u3', 'gr-utc', 'gr-u-w1', 'writer', 'gr-reported-model', 2, '2025-03-11 14:59:59+00'),
    ('gr-u4', 'gr-utc', 'gr-u-w2', 'planner', 'gr-reported-model', 1, '2025-03-11 15:00:00+00'),
    ('gr-n1', 'gr-no-limits', 'gr-n-w1', 'planner', 'gr-reported-model', 1000, '2025-03-10 12:00:00+00');

-- One priced event: 1,000,000 input tokens of gpt-4o at 2.50 USD per 1M.
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('gr-u5', 'gr-utc', 'gr-u-w2', 'writer', 'gpt-4o', 1000000, 0, '2025-03-11 13:00:00+00');

-- Tokyo days: 10 March holds gr-t1 (4); 11 March gr-t2 and gr-t3 (3 + 2);
-- 12 March gr-t4 (1).
-- The session's TimeZone (PST8PDT under pg_regress) plays no part.
SELECT a.tokyo_time, g.signal, g.daily_spend, g.daily_budget, g.reasons
  FROM (VALUES ('2025-03-10 23:59:00', '2025-03-10 23:59:00+09'::timestamptz),
               ('2025-03-11 00:45:00', '2025-03-11 00:45:00+09'),
               ('2025-03-11 23:59:59', '2025-03-11 23:59:59+09'),
               ('2025-03-12 00:00:00', '2025-03-12 00:00:00+09')) AS a(tokyo_time, at),
       LATERAL masecon.mas_evaluate_guardrail('gr-tokyo', at => a.at) AS g;

-- UTC days of the same instants: 10 March contains 4 + 3, 11 March 2 + 1 + 2.5.
SELECT a.utc_time, g.signal, g.daily_spend, g.daily_budget, g.reasons
  FROM (VALUES ('2025-03-10 12:00:00', '2025-03-10 12:00:00+00'::timestamptz),
               ('2025-03-11 12:00:00', '2025-03-11 12:00:00+00')) AS a(utc_time, at),
       LATERAL masecon.mas_evaluate_guardrail('gr-utc', at => a.at) AS g;

-- The daily budget is 10 and Tokyo's 11 March has 5 spent.  A step of 5
-- reaches the budget exactly, so it only warns.  A step of 5.01 exceeds it.
SELECT d.proposed, g.signal, g.daily_spend, g.reasons
  FROM (VALUES (5), (5.01)) AS d(proposed),
       LATERAL masecon.mas_evaluate_guardrail('gr-tokyo', NULL, NULL, d.proposed,
                                              '2025-03-11 12:00:00+09') AS g;

-- Workflow gr-w1 spent 4 + 3 + 2 over two days, above its budget of 6;
-- planner took 2 of its steps, so the next is its third, above the limit of 2.
\x on
SELECT * FROM masecon.mas_evaluate_guardrail('gr-tokyo', 'gr-w1', 'planner', 0, '2025-03-11 12:00:00+09');
\x off

-- writer took 1 step in gr-w1, so its next step is within the step limit;
-- the workflow budget still blocks it.
SELECT signal, workflow_spend, agent_steps, reasons
  FROM masecon.mas_evaluate_guardrail('gr-tokyo', 'gr-w1', 'writer', 0, '2025-03-11 12:00:00+09');

-- planner's steps in gr-w2 are counted apart from those in gr-w1.
SELECT signal, daily_spend, workflow_spend, agent_steps, reasons
  FROM masecon.mas_evaluate_guardrail('gr-tokyo', 'gr-w2', 'planner', 0.5, '2025-03-12 09:00:00+09');

-- A workflow with no events yet, and an agent with none in it.
SELECT signal, workflow_spend, agent_steps, reasons
  FROM masecon.mas_evaluate_guardrail('gr-tokyo', 'gr-w-new', 'planner', 0.2, '2025-03-12 09:00:00+09');

-- An agent without a workflow has no step count.
SELECT signal, workflow_spend, agent_steps
  FROM masecon.mas_evaluate_guardrail('gr-tokyo', NULL, 'planner', 0, '2025-03-12 09:00:00+09');

-- No policy, or a policy whose limits are all NULL: no limit, so PASS.
SELECT signal, daily_spend, daily_budget, workflow_budget, step_limit
  FROM masecon.mas_evaluate_guardrail('gr-utc', 'gr-u-w1', 'planner', 1000, '2025-03-10 12:00:00+00');
SELECT signal, daily_spend, workflow_spend, agent_steps, step_limit
  FROM masecon.mas_evaluate_guardrail('gr-no-limits', 'gr-n-w1', 'planner', 1, '2025-03-10 12:00:00+00');
SELECT signal, daily_spend, daily_budget FROM masecon.mas_evaluate_guardrail('gr-nobody');

-- Unpriced spend: an event of a model outside the catalog with no reported
-- cost counts as its tool cost only, so the guardrail warns and names the
-- model, for the day and for the workflow.
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, tool_cost_total, "timestamp")
VALUES ('gr-x1', 'gr-tokyo', 'gr-w2', 'planner', 'gr-unknown-model', 0.01, '2025-03-13 10:00:00+09'),
       ('gr-x2', 'gr-tokyo', 'gr-w2', 'planner', 'gr-other-unknown', 0, '2025-03-13 11:00:00+09');
SELECT execution_id, price_status, execution_cost_total
  FROM masecon.execution_events WHERE execution_id IN ('gr-x1', 'gr-x2') ORDER BY 1;
-- On 13 March: the day's events are unpriced.
SELECT signal, daily_spend, unpriced_models, reasons
  FROM masecon.mas_evaluate_guardrail('gr-tokyo', at => '2025-03-13 12:00:00+09');
-- On 14 March, nothing unpriced that day: PASS without the workflow,
-- WARN with gr-w2, whose events include the unpriced ones.
SELECT signal, unpriced_models
  FROM masecon.mas_evaluate_guardrail('gr-tokyo', at => '2025-03-14 12:00:00+09');
SELECT signal, workflow_spend, unpriced_models, reasons
  FROM masecon.mas_evaluate_guardrail('gr-tokyo', 'gr-w2', NULL, 0, '2025-03-14 12:00:00+09');
-- Repriced as reported cost, the events no longer warn.
UPDATE masecon.execution_events SET reported_cost = 0.02 WHERE execution_id IN ('gr-x1', 'gr-x2');
SELECT signal, daily_spend, unpriced_models
  FROM masecon.mas_evaluate_guardrail('gr-tokyo', at => '2025-03-13 12:00:00+09');

-- The default at is now(); nothing was spent today.
SELECT signal, daily_spend FROM masecon.mas_evaluate_guardrail('gr-tokyo');

-- Rejected inputs.
SELECT * FROM masecon.mas_evaluate_guardrail(NULL);
SELECT * FROM masecon.mas_evaluate_guardrail('');
SELECT * FROM masecon.mas_evaluate_guardrail('gr-tokyo', at => NULL);
SELECT * FROM masecon.mas_evaluate_guardrail('gr-tokyo', proposed_cost => NULL);
SELECT * FROM masecon.mas_evaluate_guardrail('gr-tokyo', proposed_cost => -1);

DELETE FROM masecon.execution_events WHERE customer_id LIKE 'gr-%';
DELETE FROM masecon.workflows WHERE customer_id LIKE 'gr-%';
DELETE FROM masecon.budget_policies WHERE customer_id LIKE 'gr-%';

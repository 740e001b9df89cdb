-- The pure guardrail rules: masecon.mas_evaluate_guardrail with the policy
-- figures and the spends as arguments.  Spends and steps passed are those
-- before the step; the result includes proposed_cost and one step.
\pset null '(null)'
\x on

-- No limits at all: PASS, with the proposed step counted.
SELECT * FROM masecon.mas_evaluate_guardrail(
    daily_spend => 3, daily_budget => NULL, workflow_spend => 1, workflow_budget => NULL,
    agent_steps => 7, step_limit => NULL, proposed_cost => 0.25);

-- No workflow and no agent in scope: their figures stay NULL.
SELECT signal, workflow_spend, agent_steps
  FROM masecon.mas_evaluate_guardrail(0, 10, NULL, 5, NULL, 3);

\x off

-- Daily budget 10 and warn threshold 0.8 (8 USD), around each boundary.
SELECT d.spend_before, d.proposed, g.signal, g.daily_spend, g.reasons
  FROM (VALUES (7.5, 0.5), (7.5, 0.51), (9.5, 0.5), (9.5, 0.500001), (12, 0))
       AS d(spend_before, proposed),
       LATERAL masecon.mas_evaluate_guardrail(d.spend_before, 10, NULL, NULL, NULL, NULL, d.proposed) AS g;

-- Workflow budget 5, around the boundary; the daily budget is far away.
SELECT d.spend_before, g.signal, g.workflow_spend, g.reasons
  FROM (VALUES (4.5), (4.50001), (6)) AS d(spend_before),
       LATERAL masecon.mas_evaluate_guardrail(1, 100, d.spend_before, 5, NULL, NULL, 0.5) AS g;

-- Step limit 3 per agent: the proposed step is the fourth when 3 are done.
SELECT d.steps_before, g.signal, g.agent_steps, g.reasons
  FROM (VALUES (0), (2), (3), (10)) AS d(steps_before),
       LATERAL masecon.mas_evaluate_guardrail(0, NULL, 0, NULL, d.steps_before, 3) AS g;

-- A step limit of 0 warns on the first step.
SELECT signal, agent_steps, reasons FROM masecon.mas_evaluate_guardrail(0, NULL, 0, NULL, 0, 0);

-- A budget of 0: nothing spent is not over it, any spend is.
SELECT signal, reasons FROM masecon.mas_evaluate_guardrail(0, 0, 0, 0, NULL, NULL, 0);
SELECT signal, reasons FROM masecon.mas_evaluate_guardrail(0, 0, NULL, NULL, NULL, NULL, 0.000001);

-- Unpriced spend never passes: WARN at least, naming the models.
SELECT signal, reasons, unpriced_models
  FROM masecon.mas_evaluate_guardrail(0, NULL, NULL, NULL, NULL, NULL, 0,
                                      ARRAY['acme-llm-v2', 'some-new-model']);
SELECT signal, reasons
  FROM masecon.mas_evaluate_guardrail(11, 10, NULL, NULL, NULL, NULL, 0, ARRAY['some-new-model']);
-- An empty list, a NULL list and NULL elements are no unpriced spend.
SELECT signal, unpriced_models FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, NULL, NULL, 0, '{}');
SELECT signal, unpriced_models FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, NULL, NULL, 0, NULL);
SELECT signal FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, NULL, NULL, 0, ARRAY[NULL]::text[]);

-- Every limit crossed at once: BLOCK, with every reason; the warn-threshold
-- reason is left out because the daily budget itself is exceeded.
SELECT signal, reasons
  FROM masecon.mas_evaluate_guardrail(20, 10, 20, 5, 9, 2, 1, ARRAY['some-new-model']);

-- Another warn threshold: 0.5 of 10 is 5.
SELECT signal, reasons FROM masecon.mas_evaluate_guardrail(5, 10, NULL, NULL, NULL, NULL, 0, '{}', 0.5);
SELECT signal, reasons FROM masecon.mas_evaluate_guardrail(5, 10, NULL, NULL, NULL, NULL, 0.01, '{}', 0.5);

-- Exact figures: no float and no rounding between the inputs and the result.
SELECT daily_spend, workflow_spend, reasons
  FROM masecon.mas_evaluate_guardrail(9.999999999999999999, 10, 0.1, 0.3, NULL, NULL, 0.200000000000000001);

-- Rejected inputs.
SELECT * FROM masecon.mas_evaluate_guardrail(NULL, 10, NULL, NULL, NULL, NULL);
SELECT * FROM masecon.mas_evaluate_guardrail(-1, 10, NULL, NULL, NULL, NULL);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 'NaN', NULL, NULL, NULL, NULL);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, 'Infinity', NULL, NULL, NULL);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, NULL, -5, NULL, NULL);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, NULL, NULL, -0.01);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, -1, 3);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, 9223372036854775807, 3);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, 1, -3);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, NULL, NULL, 0, '{}', 0);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, NULL, NULL, 0, '{}', 1.5);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, NULL, NULL, 0, '{}', NULL);
SELECT * FROM masecon.mas_evaluate_guardrail(0, 10, NULL, NULL, NULL, NULL, 0, '{{a},{b}}');

-- The pure form is IMMUTABLE and PARALLEL SAFE, and written in C.
SELECT p.provolatile, p.proparallel, l.lanname
  FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang
 WHERE p.oid = 'masecon.mas_evaluate_guardrail(numeric, numeric, numeric, numeric, bigint, integer, numeric, text[], numeric, numeric, numeric)'::regprocedure;

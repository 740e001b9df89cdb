-- mas_workflow_cost: the cost of a workflow before it runs.

-- 4 agents x 12 steps of 3000 tokens in and 800 out on gpt-4o, one tool call
-- of 0.002 per step, 50 runs a day:
--   per step 3000 x 2.50 + 800 x 10.00 = 15500 per 1M = 0.0155, plus 0.002 = 0.0175
--   per agent x 12 = 0.21, per workflow x 4 = 0.84, per month x 50 x 30 = 1260
\x on
SELECT * FROM masecon.mas_workflow_cost(4, 12, 3000, 800, 'gpt-4o', 1, 0.002, 50);
\x off

-- Defaults: no tools, one run a day.
SELECT cost_per_step, cost_per_workflow, monthly_projection
  FROM masecon.mas_workflow_cost(2, 3, 1000, 1000, 'claude-3-opus');

-- The one-count form prices tokens at the mean of input and output:
-- gpt-4 mean (30 + 60) / 2 = 45 per 1M; 1000 tokens = 0.045 per step.
\x on
SELECT * FROM masecon.mas_workflow_cost(3, 5, 1000, 'gpt-4');
\x off
SELECT cost_per_step FROM masecon.mas_workflow_cost(1, 1, 1, 'gpt-4o-mini');

-- Spellings resolve like events do.
SELECT model_name, resolved_model, cost_per_step
  FROM masecon.mas_workflow_cost(1, 1, 1000, 1000, 'anthropic/claude-3-5-sonnet-latest');

-- Zero agents or steps cost nothing; large counts do not overflow.
SELECT cost_per_workflow FROM masecon.mas_workflow_cost(0, 10, 1000, 1000, 'gpt-4o');
SELECT steps, tokens_total, cost_per_workflow, monthly_projection
  FROM masecon.mas_workflow_cost(2147483647, 2147483647, 1000000000000, 1000000000000, 'gpt-4', 2147483647, 1000, 2147483647);

-- Rejected arguments.
SELECT * FROM masecon.mas_workflow_cost(-1, 12, 3000, 800, 'gpt-4o');
SELECT * FROM masecon.mas_workflow_cost(4, -12, 3000, 800, 'gpt-4o');
SELECT * FROM masecon.mas_workflow_cost(4, 12, -3000, 800, 'gpt-4o');
SELECT * FROM masecon.mas_workflow_cost(4, 12, 3000, -800, 'gpt-4o');
SELECT * FROM masecon.mas_workflow_cost(4, 12, 3000, 800, 'gpt-4o', -1);
SELECT * FROM masecon.mas_workflow_cost(4, 12, 3000, 800, 'gpt-4o', 1, -0.5);
SELECT * FROM masecon.mas_workflow_cost(4, 12, 3000, 800, 'gpt-4o', 1, 'NaN');
SELECT * FROM masecon.mas_workflow_cost(4, 12, 3000, 800, 'gpt-4o', 1, 0, -2);
SELECT * FROM masecon.mas_workflow_cost(4, 12, 1000000000001, 800, 'gpt-4o');
SELECT * FROM masecon.mas_workflow_cost(4, 12, -1, 'gpt-4o');
SELECT * FROM masecon.mas_workflow_cost(4, 12, 3000, 800, 'no-such-model');
SELECT * FROM masecon.mas_workflow_cost(4, 12, 3000, 'no-such-model');
SELECT * FROM masecon.mas_workflow_cost(4, 12, 3000, 800, NULL);
SELECT * FROM masecon.mas_workflow_cost(NULL, 12, 3000, 'gpt-4o');

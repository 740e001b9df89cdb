-- What a workflow of 4 agents, each taking 12 steps of 3,000 input and
-- 800 output tokens and one 0.002 USD tool call, costs on each model tier,
-- run 50 times a day.
\echo
\echo '== Simulation: 4 agents x 12 steps, 3000 tokens in and 800 out per step, 1 tool call at 0.002 USD, 50 runs a day'
SELECT s.model_name AS model,
       s.input_usd_per_1m AS "in $/1M",
       s.output_usd_per_1m AS "out $/1M",
       s.cost_per_step,
       s.cost_per_agent,
       s.cost_per_workflow,
       s.monthly_projection
  FROM masecon.model_prices AS p,
       LATERAL masecon.mas_workflow_cost(4, 12, 3000, 800, p.model_name, 1, 0.002, 50) AS s
 WHERE p.shipped AND p.model_name NOT IN ('gpt-4o-2024-05-13', 'claude-3-5-sonnet-20240620')
 ORDER BY s.cost_per_workflow DESC;

\echo
\echo '== The original one-count form: 3 agents x 5 steps of 1000 tokens, priced at the mean of input and output'
SELECT s.model_name AS model, s.tokens_total, s.cost_per_step, s.cost_per_workflow, s.monthly_projection
  FROM unnest(ARRAY['gpt-4', 'gpt-4o', 'gpt-3.5-turbo', 'claude-3-opus', 'claude-3-haiku']) AS m(name),
       LATERAL masecon.mas_workflow_cost(3, 5, 1000, m.name) AS s;

-- A few realistic events, priced on arrival by the trigger.
\echo
\echo '== Events priced on insert'
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name,
     tokens_in, cached_tokens_in, cache_write_tokens_in, tokens_out, tool_calls, tool_cost_total)
VALUES
    ('demo-1', 'acme', 'support-run-1', 'planner',    'gpt-4o-2024-08-06',          2006, 1920,    0,  300, 0, 0),
    ('demo-2', 'acme', 'support-run-1', 'researcher', 'openai/gpt-4o-mini',         12000,   0,    0,  950, 3, 0.003),
    ('demo-3', 'acme', 'support-run-1', 'writer',     'claude-3-5-sonnet-20241022',  2459, 2455,    0,   23, 0, 0),
    ('demo-4', 'acme', 'support-run-1', 'reviewer',   'claude-3-opus',               5200,    0, 4000,  410, 0, 0),
    ('demo-5', 'acme', 'support-run-1', 'router',     'some-new-model',               800,    0,    0,   20, 0, 0);

SELECT execution_id, agent_id, model_name, resolved_model,
       tokens_in, cached_tokens_in AS cached, cache_write_tokens_in AS cache_write, tokens_out,
       tool_cost_total AS tools, execution_cost_total AS cost, price_status
  FROM masecon.execution_events
 WHERE execution_id LIKE 'demo-%'
 ORDER BY execution_id;

\echo
\echo '== Models without a price'
SELECT model_name, events FROM masecon.unpriced_models;

\echo
\echo '== Health'
SELECT version, events, unpriced_events, catalog_models, unknown_model FROM masecon.mas_health();

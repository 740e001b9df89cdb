-- Rejected event values: each error names the column and the value, and
-- nothing of the rejected statement is stored.

INSERT INTO masecon.workflows (customer_id, workflow_id) VALUES ('checks', 'checks-wf');

-- Required text columns.
INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES (NULL, 'gpt-4o');
INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('', 'gpt-4o');
INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('checks-wf', NULL);
INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('checks-wf', '');
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name) VALUES ('', 'checks-wf', 'gpt-4o');
INSERT INTO masecon.execution_events (workflow_id, agent_id, model_name) VALUES ('checks-wf', '', 'gpt-4o');
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name) VALUES (NULL, 'checks-wf', 'gpt-4o');

-- Token counts: negative, NULL, beyond one event's limit, beyond bigint.
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in) VALUES ('checks-wf', 'gpt-4o', -1);
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_out) VALUES ('checks-wf', 'gpt-4o', -5);
INSERT INTO masecon.execution_events (workflow_id, model_name, cached_tokens_in) VALUES ('checks-wf', 'gpt-4o', -2);
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, cache_write_tokens_in) VALUES ('checks-wf', 'gpt-4o', 10, -3);
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in) VALUES ('checks-wf', 'gpt-4o', NULL);
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in) VALUES ('checks-wf', 'gpt-4o', 1000000000001);
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_out) VALUES ('checks-wf', 'gpt-4o', 99999999999999999999);

-- Cached and cache-write tokens are part of tokens_in.
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, cached_tokens_in)
VALUES ('checks-wf', 'gpt-4o', 4, 2455);
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, cached_tokens_in, cache_write_tokens_in)
VALUES ('checks-wf', 'gpt-4o', 100, 60, 41);
-- Exactly equal is fine: every input token came from the cache.
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, cached_tokens_in, cache_write_tokens_in)
VALUES ('checks-all-cached', 'checks-wf', 'gpt-4o', 100, 60, 40) RETURNING execution_cost_total;

-- Tool calls, money, latency, confidence, timestamp.
INSERT INTO masecon.execution_events (workflow_id, model_name, tool_calls) VALUES ('checks-wf', 'gpt-4o', -1);
INSERT INTO masecon.execution_events (workflow_id, model_name, tool_calls) VALUES ('checks-wf', 'gpt-4o', NULL);
INSERT INTO masecon.execution_events (workflow_id, model_name, tool_cost_total) VALUES ('checks-wf', 'gpt-4o', -0.01);
INSERT INTO masecon.execution_events (workflow_id, model_name, tool_cost_total) VALUES ('checks-wf', 'gpt-4o', 'NaN');
INSERT INTO masecon.execution_events (workflow_id, model_name, tool_cost_total) VALUES ('checks-wf', 'gpt-4o', 'Infinity');
INSERT INTO masecon.execution_events (workflow_id, model_name, tool_cost_total) VALUES ('checks-wf', 'gpt-4o', NULL);
INSERT INTO masecon.execution_events (workflow_id, model_name, execution_cost_total) VALUES ('checks-wf', 'mystery', 'NaN');
INSERT INTO masecon.execution_events (workflow_id, model_name, execution_cost_total) VALUES ('checks-wf', 'mystery', -1);
INSERT INTO masecon.execution_events (workflow_id, model_name, latency_ms) VALUES ('checks-wf', 'gpt-4o', -20);
INSERT INTO masecon.execution_events (workflow_id, model_name, confidence_score) VALUES ('checks-wf', 'gpt-4o', 1.5);
INSERT INTO masecon.execution_events (workflow_id, model_name, confidence_score) VALUES ('checks-wf', 'gpt-4o', -0.1);
INSERT INTO masecon.execution_events (workflow_id, model_name, confidence_score) VALUES ('checks-wf', 'gpt-4o', 'NaN');
INSERT INTO masecon.execution_events (workflow_id, model_name, "timestamp") VALUES ('checks-wf', 'gpt-4o', NULL);
INSERT INTO masecon.execution_events (workflow_id, model_name, "timestamp") VALUES ('checks-wf', 'gpt-4o', 'infinity');

-- Boundaries that are accepted.
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, confidence_score, latency_ms)
VALUES ('checks-bounds-0', 'checks-wf', 'gpt-4o', 1000000000000, 0, 0),
       ('checks-bounds-1', 'checks-wf', 'gpt-4o', 0, 1, 2147483647);

-- One bad row in a multi-row insert stores none of them.
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in)
VALUES ('checks-batch-1', 'checks-wf', 'gpt-4o', 10),
       ('checks-batch-2', 'checks-wf', 'gpt-4o', -10);
-- An update is checked the same way.
UPDATE masecon.execution_events SET tokens_out = -1 WHERE execution_id = 'checks-all-cached';

SELECT execution_id, tokens_out FROM masecon.execution_events WHERE customer_id = 'checks' ORDER BY execution_id;

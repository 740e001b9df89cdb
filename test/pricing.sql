-- The pricing formula, checked against hand-computed exact costs.
BEGIN;
SELECT plan(24);

INSERT INTO masecon.workflows (customer_id, workflow_id) VALUES ('tap-pricing', 'tap-wf');

-- Insert one event and return its stored cost.
CREATE FUNCTION pg_temp.cost_of(model text, tokens_in bigint, cached bigint, cache_write bigint,
                                tokens_out bigint, tool_cost numeric DEFAULT 0)
RETURNS numeric LANGUAGE sql AS $$
    INSERT INTO masecon.execution_events
        (workflow_id, agent_id, model_name, tokens_in, cached_tokens_in,
         cache_write_tokens_in, tokens_out, tool_cost_total)
    VALUES ('tap-wf', 'agent', model, tokens_in, cached, cache_write, tokens_out, tool_cost)
    RETURNING execution_cost_total
$$;

-- gpt-4o: 86 fresh x 2.50 + 1920 cached x 1.25 + 300 out x 10.00 = 5615 per 1M.
SELECT is(pg_temp.cost_of('gpt-4o', 2006, 1920, 0, 300), 0.005615,
          'gpt-4o cached input priced at the cached price');
-- Without the cache discount the same step would cost 0.008015.
SELECT is(pg_temp.cost_of('gpt-4o', 2006, 0, 0, 300), 0.008015,
          'gpt-4o without cached tokens');
-- claude-3-5-sonnet: 4 x 3.00 + 2455 x 0.30 + 23 x 15.00 = 1093.5 per 1M.
SELECT is(pg_temp.cost_of('claude-3-5-sonnet-20241022', 2459, 2455, 0, 23), 0.0010935,
          'claude-3-5-sonnet cache reads');
-- claude-3-opus: 1200 x 15.00 + 4000 x 18.75 + 410 x 75.00 = 123750 per 1M.
SELECT is(pg_temp.cost_of('claude-3-opus', 5200, 0, 4000, 410), 0.12375,
          'claude-3-opus cache writes at the cache-write price');
-- claude-3-haiku: 5000 x 0.25 + 3000 x 0.03 + 2000 x 0.30 + 1000 x 1.25 = 3190 per 1M.
SELECT is(pg_temp.cost_of('claude-3-haiku-20240307', 10000, 3000, 2000, 1000), 0.00319,
          'claude-3-haiku with cache reads and writes');
-- gpt-4-turbo lists no cached price, so cached tokens pay the input price.
SELECT is(pg_temp.cost_of('gpt-4-turbo', 3000, 1000, 0, 500), 0.045,
          'NULL cached price falls back to the input price');
-- claude-3-sonnet lists no cache-write price either.
SELECT is(pg_temp.cost_of('claude-3-sonnet-20240229', 3000, 0, 1000, 500), 0.0165,
          'NULL cache-write price falls back to the input price');
SELECT is(pg_temp.cost_of('gpt-4o-mini', 1, 0, 0, 1), 0.00000075,
          'one token in and out keeps every digit');
SELECT is(pg_temp.cost_of('gpt-4', 1000000000000, 0, 0, 0), 30000000::numeric,
          'the largest allowed count prices exactly');
SELECT is(pg_temp.cost_of('gpt-3.5-turbo', 0, 0, 0, 0, 0.25), 0.25,
          'a step with no tokens costs its tools');
SELECT is(pg_temp.cost_of('gpt-4o', 2006, 1920, 0, 300, 0.0125), 0.018115,
          'tool cost adds to token cost');
SELECT is(pg_temp.cost_of('gpt-4o-2024-05-13', 1000, 0, 0, 1000), 0.02,
          'a dated entry keeps its own price');
SELECT is(pg_temp.cost_of('gpt-4o-2024-08-06', 1000, 0, 0, 1000), 0.0125,
          'a dated spelling without an entry prices as the base model');
SELECT is(pg_temp.cost_of('OpenAI/GPT-4o-mini', 1000, 0, 0, 1000), 0.00075,
          'prefixed mixed-case spelling prices as the base model');

-- With equal input and output prices and no cache, the formula is the
-- original (tokens_in + tokens_out) / 1000 * cost_per_1k + tool_calls * tool_cost_per_call.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('tap-flat', 'example', 2.00, 2.00);
SELECT is(pg_temp.cost_of('tap-flat', 1234, 0, 0, 766, 3 * 0.01),
          (1234 + 766) / 1000.0 * 0.002 + 3 * 0.01,
          'flat prices reproduce the original per-1K formula');

-- Exact sums: 1000 events of 0.00000015 add up to exactly 0.00015.
INSERT INTO masecon.execution_events (workflow_id, agent_id, model_name, tokens_in, tokens_out)
SELECT 'tap-wf', 'summing', 'gpt-4o-mini', 1, 0 FROM generate_series(1, 1000);
SELECT is((SELECT sum(execution_cost_total) FROM masecon.execution_events WHERE agent_id = 'summing'),
          0.00015, 'a thousand tiny costs sum exactly');

-- Stored status and resolved model.
SELECT results_eq(
    $$SELECT price_status::text, resolved_model FROM masecon.execution_events
       WHERE workflow_id = 'tap-wf' AND model_name = 'OpenAI/GPT-4o-mini'$$,
    $$VALUES ('priced', 'gpt-4o-mini')$$,
    'priced events record the catalog model');

-- An unknown model stores the tool cost, or the producer's reported cost.
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out, tool_cost_total)
VALUES ('tap-unpriced', 'tap-wf', 'tap-unknown-model', 100, 10, 0.02);
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out, execution_cost_total)
VALUES ('tap-reported', 'tap-wf', 'tap-unknown-model', 100, 10, 0.5);
SELECT results_eq(
    $$SELECT execution_id, execution_cost_total, price_status::text, resolved_model
        FROM masecon.execution_events WHERE execution_id IN ('tap-unpriced', 'tap-reported')
       ORDER BY execution_id$$,
    $$VALUES ('tap-reported', 0.5, 'reported', NULL::text), ('tap-unpriced', 0.02, 'unpriced', NULL::text)$$,
    'unknown models are stored unpriced or reported');

-- A priced event ignores a producer's cost but keeps it for audit.
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out, execution_cost_total)
VALUES ('tap-claimed', 'tap-wf', 'gpt-4o', 1000, 1000, 99);
SELECT results_eq(
    $$SELECT execution_cost_total, reported_cost FROM masecon.execution_events WHERE execution_id = 'tap-claimed'$$,
    $$VALUES (0.0125, 99::numeric)$$,
    'computed cost replaces a claimed one');

-- event_price() returns what the trigger stores.
SELECT results_eq(
    $$SELECT execution_cost_total, price_status::text, resolved_model
        FROM masecon.event_price('gpt-4o', now(), 2006, 300, 1920)$$,
    $$VALUES (0.005615, 'priced', 'gpt-4o')$$,
    'event_price matches the trigger');
SELECT results_eq(
    $$SELECT execution_cost_total, price_status::text FROM masecon.event_price('nope', now(), 1, 1, 0, 0, 0.1, 0.7)$$,
    $$VALUES (0.7, 'reported')$$,
    'event_price reports a producer cost for an unknown model');

-- An update reprices the row from its new values.
UPDATE masecon.execution_events SET tokens_out = 600 WHERE execution_id = 'tap-claimed';
SELECT is((SELECT execution_cost_total FROM masecon.execution_events WHERE execution_id = 'tap-claimed'),
          0.0085, 'update reprices the event');

-- A retried execution_id does not count twice.
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('tap-retry', 'tap-wf', 'gpt-4o', 1000, 0);
SELECT throws_ok(
    $$INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
      VALUES ('tap-retry', 'tap-wf', 'gpt-4o', 1000, 0)$$,
    '23505', NULL, 'a retried execution_id is rejected');
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('tap-retry', 'tap-wf', 'gpt-4o', 1000, 0) ON CONFLICT DO NOTHING;
SELECT is((SELECT count(*) FROM masecon.execution_events WHERE execution_id = 'tap-retry'), 1::bigint,
          'ON CONFLICT DO NOTHING skips a retry');

SELECT * FROM finish();
ROLLBACK;

-- Every rejection of bad input: its SQLSTATE, and that the rejected
-- statement left no event, workflow or catalog row behind.
BEGIN;

CREATE TEMPORARY TABLE rejection_cases (
    case_id serial PRIMARY KEY,
    description text NOT NULL,
    statement text NOT NULL,
    sqlstate char(5) NOT NULL
);

INSERT INTO masecon.workflows (customer_id, workflow_id) VALUES ('tap-reject', 'tap-reject-wf');

-- Events.  Each statement would otherwise store a row for 'tap-reject-wf'.
INSERT INTO rejection_cases (description, statement, sqlstate) VALUES
    ('event: NULL workflow_id', $$INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES (NULL, 'gpt-4o')$$, '23502'),
    ('event: empty workflow_id', $$INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('', 'gpt-4o')$$, '23514'),
    ('event: NULL model_name', $$INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('tap-reject-wf', NULL)$$, '23502'),
    ('event: empty model_name', $$INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('tap-reject-wf', '')$$, '23514'),
    ('event: empty customer_id', $$INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name) VALUES ('', 'tap-reject-wf', 'gpt-4o')$$, '23514'),
    ('event: empty agent_id', $$INSERT INTO masecon.execution_events (workflow_id, agent_id, model_name) VALUES ('tap-reject-wf', '', 'gpt-4o')$$, '23514'),
    ('event: NULL execution_id', $$INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name) VALUES (NULL, 'tap-reject-wf', 'gpt-4o')$$, '23502'),
    ('event: negative tokens_in', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in) VALUES ('tap-reject-wf', 'gpt-4o', -1)$$, '23514'),
    ('event: negative tokens_out', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_out) VALUES ('tap-reject-wf', 'gpt-4o', -5)$$, '23514'),
    ('event: negative cached_tokens_in', $$INSERT INTO masecon.execution_events (workflow_id, model_name, cached_tokens_in) VALUES ('tap-reject-wf', 'gpt-4o', -2)$$, '23514'),
    ('event: negative cache_write_tokens_in', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, cache_write_tokens_in) VALUES ('tap-reject-wf', 'gpt-4o', 10, -3)$$, '23514'),
    ('event: NULL tokens_in', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in) VALUES ('tap-reject-wf', 'gpt-4o', NULL)$$, '23502'),
    ('event: tokens_in above 10^12', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in) VALUES ('tap-reject-wf', 'gpt-4o', 1000000000001)$$, '22003'),
    ('event: tokens_out beyond bigint', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_out) VALUES ('tap-reject-wf', 'gpt-4o', 99999999999999999999)$$, '22003'),
    ('event: cached tokens above tokens_in', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, cached_tokens_in) VALUES ('tap-reject-wf', 'gpt-4o', 4, 2455)$$, '23514'),
    ('event: cached plus cache-write above tokens_in', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, cached_tokens_in, cache_write_tokens_in) VALUES ('tap-reject-wf', 'gpt-4o', 100, 60, 41)$$, '23514'),
    ('event: negative tool_calls', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tool_calls) VALUES ('tap-reject-wf', 'gpt-4o', -1)$$, '23514'),
    ('event: NULL tool_calls', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tool_calls) VALUES ('tap-reject-wf', 'gpt-4o', NULL)$$, '23502'),
    ('event: negative tool_cost_total', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tool_cost_total) VALUES ('tap-reject-wf', 'gpt-4o', -0.01)$$, '23514'),
    ('event: NaN tool_cost_total', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tool_cost_total) VALUES ('tap-reject-wf', 'gpt-4o', 'NaN')$$, '22023'),
    ('event: infinite tool_cost_total', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tool_cost_total) VALUES ('tap-reject-wf', 'gpt-4o', 'Infinity')$$, '22023'),
    ('event: NULL tool_cost_total', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tool_cost_total) VALUES ('tap-reject-wf', 'gpt-4o', NULL)$$, '23502'),
    ('event: NaN reported cost', $$INSERT INTO masecon.execution_events (workflow_id, model_name, execution_cost_total) VALUES ('tap-reject-wf', 'mystery', 'NaN')$$, '22023'),
    ('event: negative reported cost', $$INSERT INTO masecon.execution_events (workflow_id, model_name, execution_cost_total) VALUES ('tap-reject-wf', 'mystery', -1)$$, '23514'),
    ('event: negative latency_ms', $$INSERT INTO masecon.execution_events (workflow_id, model_name, latency_ms) VALUES ('tap-reject-wf', 'gpt-4o', -20)$$, '23514'),
    ('event: confidence_score above 1', $$INSERT INTO masecon.execution_events (workflow_id, model_name, confidence_score) VALUES ('tap-reject-wf', 'gpt-4o', 1.5)$$, '23514'),
    ('event: negative confidence_score', $$INSERT INTO masecon.execution_events (workflow_id, model_name, confidence_score) VALUES ('tap-reject-wf', 'gpt-4o', -0.1)$$, '23514'),
    ('event: NaN confidence_score', $$INSERT INTO masecon.execution_events (workflow_id, model_name, confidence_score) VALUES ('tap-reject-wf', 'gpt-4o', 'NaN')$$, '23514'),
    ('event: NULL timestamp', $$INSERT INTO masecon.execution_events (workflow_id, model_name, "timestamp") VALUES ('tap-reject-wf', 'gpt-4o', NULL)$$, '23502'),
    ('event: infinite timestamp', $$INSERT INTO masecon.execution_events (workflow_id, model_name, "timestamp") VALUES ('tap-reject-wf', 'gpt-4o', 'infinity')$$, '22008'),
    ('event: unknown workflow without customer_id', $$INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('tap-reject-unknown', 'gpt-4o')$$, '23503'),
    ('event: customer_id disagrees with the workflow', $$INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name) VALUES ('tap-reject-other', 'tap-reject-wf', 'gpt-4o')$$, '23503'),
    ('event: one bad row of a batch', $$INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in) VALUES ('tap-reject-wf', 'gpt-4o', 10), ('tap-reject-wf', 'gpt-4o', -10)$$, '23514'),
    ('event: bad row after a new workflow', $$INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tokens_in) VALUES ('tap-reject', 'tap-reject-new', 'gpt-4o', 10), ('tap-reject', 'tap-reject-new', 'gpt-4o', -10)$$, '23514'),
    ('event: unknown model under reject', $$SET LOCAL masecon.unknown_model = reject; INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('tap-reject-wf', 'mystery')$$, '42704');

-- Catalog rows.
INSERT INTO rejection_cases (description, statement, sqlstate) VALUES
    ('catalog: empty model_name', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m) VALUES (' ', 'openai', 1, 1)$$, '23514'),
    ('catalog: NULL model_name', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m) VALUES (NULL, 'openai', 1, 1)$$, '23514'),
    ('catalog: empty provider', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m) VALUES ('tap-model', '', 1, 1)$$, '23514'),
    ('catalog: model_name above 200 characters', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m) VALUES (repeat('m', 201), 'openai', 1, 1)$$, '22001'),
    ('catalog: valid_from infinity', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m, valid_from) VALUES ('tap-model', 'openai', 1, 1, 'infinity')$$, '22023'),
    ('catalog: NaN price', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m) VALUES ('tap-model', 'openai', 'NaN', 1)$$, '22023'),
    ('catalog: infinite price', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m) VALUES ('tap-model', 'openai', 1, 'Infinity')$$, '22023'),
    ('catalog: negative price', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m) VALUES ('tap-model', 'openai', -1, 1)$$, '23514'),
    ('catalog: per-token price', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m) VALUES ('tap-model', 'openai', 0.0000025, 1)$$, '23514'),
    ('catalog: price above 1000', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m) VALUES ('tap-model', 'openai', 1, 2500)$$, '23514'),
    ('catalog: cached price above input price', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m, cached_input_usd_per_1m) VALUES ('tap-model', 'openai', 1, 1, 2)$$, '23514'),
    ('catalog: NULL output price', $$INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m) VALUES ('tap-model', 'openai', 1, NULL)$$, '23502'),
    ('catalog: edit to a unit slip', $$UPDATE masecon.model_prices SET output_usd_per_1m = 0.00001 WHERE model_name = 'gpt-4o'$$, '23514'),
    ('catalog: alias in upper case', $$INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('TAP-Alias', 'gpt-4o')$$, '23514'),
    ('catalog: empty alias', $$INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('', 'gpt-4o')$$, '23514'),
    ('catalog: alias of itself', $$INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('tap-self', 'tap-self')$$, '23514');

-- The simulator writes nothing, but a rejected call must not either.
INSERT INTO rejection_cases (description, statement, sqlstate) VALUES
    ('simulator: negative agents', $$SELECT masecon.mas_workflow_cost(-1, 12, 3000, 800, 'gpt-4o')$$, '22023'),
    ('simulator: negative steps', $$SELECT masecon.mas_workflow_cost(4, -12, 3000, 800, 'gpt-4o')$$, '22023'),
    ('simulator: negative tokens in', $$SELECT masecon.mas_workflow_cost(4, 12, -3000, 800, 'gpt-4o')$$, '22023'),
    ('simulator: negative tokens out', $$SELECT masecon.mas_workflow_cost(4, 12, 3000, -800, 'gpt-4o')$$, '22023'),
    ('simulator: negative tool calls', $$SELECT masecon.mas_workflow_cost(4, 12, 3000, 800, 'gpt-4o', -1)$$, '22023'),
    ('simulator: negative tool cost', $$SELECT masecon.mas_workflow_cost(4, 12, 3000, 800, 'gpt-4o', 1, -0.5)$$, '22023'),
    ('simulator: NaN tool cost', $$SELECT masecon.mas_workflow_cost(4, 12, 3000, 800, 'gpt-4o', 1, 'NaN')$$, '22023'),
    ('simulator: negative runs per day', $$SELECT masecon.mas_workflow_cost(4, 12, 3000, 800, 'gpt-4o', 0, 0, -2)$$, '22023'),
    ('simulator: tokens above 10^12', $$SELECT masecon.mas_workflow_cost(4, 12, 1000000000001, 800, 'gpt-4o')$$, '22003'),
    ('simulator: negative tokens per step', $$SELECT masecon.mas_workflow_cost(4, 12, -1, 'gpt-4o')$$, '22023'),
    ('simulator: unknown model', $$SELECT masecon.mas_workflow_cost(4, 12, 3000, 800, 'no-such-model')$$, '42704'),
    ('simulator: NULL model', $$SELECT masecon.mas_workflow_cost(4, 12, 3000, 800, NULL)$$, '22004'),
    ('simulator: NULL agents', $$SELECT masecon.mas_workflow_cost(NULL, 12, 3000, 800, 'gpt-4o')$$, '22004');

-- What a rejected statement could have written.
CREATE FUNCTION pg_temp.written_rows()
RETURNS text LANGUAGE sql AS $$
    SELECT pg_catalog.concat_ws(' ',
        (SELECT pg_catalog.count(*) FROM masecon.execution_events),
        (SELECT pg_catalog.count(*) FROM masecon.workflows),
        (SELECT pg_catalog.md5(pg_catalog.string_agg(p::text, ',' ORDER BY p.model_name, p.valid_from))
           FROM masecon.model_prices AS p),
        (SELECT pg_catalog.md5(pg_catalog.string_agg(a::text, ',' ORDER BY a.alias))
           FROM masecon.model_aliases AS a))
$$;

CREATE FUNCTION pg_temp.check_rejections()
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    rejection record;
    before text;
BEGIN
    FOR rejection IN SELECT * FROM rejection_cases ORDER BY case_id LOOP
        before := pg_temp.written_rows();
        RETURN NEXT throws_ok(rejection.statement, rejection.sqlstate, NULL,
                              rejection.description || ' is rejected');
        RETURN NEXT is(pg_temp.written_rows(), before,
                       rejection.description || ' writes nothing');
    END LOOP;
END
$$;

SELECT plan((SELECT 2 * pg_catalog.count(*)::integer + 1 FROM rejection_cases));

SELECT * FROM pg_temp.check_rejections();

SELECT is((SELECT pg_catalog.count(*) FROM masecon.workflows WHERE customer_id IN ('tap-reject', 'tap-reject-other')),
          1::bigint, 'no rejected event registered a workflow');

SELECT * FROM finish();
ROLLBACK;

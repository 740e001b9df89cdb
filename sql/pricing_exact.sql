-- Exact costs: the trigger and masecon.event_price give the value and the
-- display scale that the cost formula gives in numeric arithmetic.  That
-- holds on the integer path, taken when the prices fit in an int64 at a
-- common scale, and on the numeric path that other prices and very large
-- sums take.

-- Prices that take the numeric path: 20 significant digits, and a price
-- whose product with 10^12 tokens does not fit in 64 bits once scaled.
INSERT INTO masecon.model_prices
    (model_name, provider, input_usd_per_1m, output_usd_per_1m,
     cached_input_usd_per_1m, cache_write_usd_per_1m)
VALUES
    ('long-price-model', 'test', 1.0000000000000000001, 2.5, 0.1234567890123456789, NULL),
    ('wide-price-model', 'test', 999.999999, 999.999999, NULL, NULL),
    ('trailing-zero-model', 'test', 2.5000000, 10.00, 1.2500, 3.000);

-- The formula in SQL numeric arithmetic, for comparison.
CREATE FUNCTION pg_temp.formula_cost(model text, tokens_in bigint, tokens_out bigint,
                                     cached bigint, cache_write bigint, tool numeric)
RETURNS numeric
LANGUAGE sql
AS $$
    SELECT pg_catalog.trim_scale(
               ((tokens_in - cached - cache_write) * p.input_usd_per_1m
                + cached * coalesce(p.cached_input_usd_per_1m, p.input_usd_per_1m)
                + cache_write * coalesce(p.cache_write_usd_per_1m, p.input_usd_per_1m)
                + tokens_out * p.output_usd_per_1m) * 0.000001
               + tool)
      FROM masecon.model_prices AS p
     WHERE p.model_name = model
     ORDER BY p.valid_from DESC
     LIMIT 1
$$;

-- Every catalog model over a grid of counts, from none to 10^12 tokens,
-- with and without a tool cost.  The text comparison checks the display
-- scale as well as the value.
WITH counts(tokens_in, tokens_out, cached, cache_write) AS (
    VALUES (0::bigint, 0::bigint, 0::bigint, 0::bigint),
           (1, 0, 0, 0), (0, 1, 0, 0), (1, 1, 1, 0), (1, 1, 0, 1),
           (10, 10, 0, 0), (1000, 500, 250, 125), (123457, 98765, 4321, 1234),
           (1000000, 1000000, 0, 0), (999999999999, 1, 999999999998, 1),
           (1000000000000, 1000000000000, 500000000000, 500000000000)
),
tools(tool) AS (
    VALUES (0::numeric), (0.000), (0.0015), (0.0010), (12.5), (0.0000001)
),
checked AS (
    SELECT m.model_name, c.*, t.tool,
           (masecon.event_price(m.model_name, '2026-01-01', c.tokens_in, c.tokens_out,
                                c.cached, c.cache_write, t.tool)).execution_cost_total AS trigger_cost,
           pg_temp.formula_cost(m.model_name, c.tokens_in, c.tokens_out,
                                c.cached, c.cache_write, t.tool) AS formula_cost
      FROM (SELECT DISTINCT model_name FROM masecon.model_prices) AS m, counts AS c, tools AS t
)
SELECT count(DISTINCT model_name) >= 14 AS at_least_14_models,
       count(*) FILTER (WHERE trigger_cost::text IS DISTINCT FROM formula_cost::text) AS differing
  FROM checked;

-- A few costs in full, one per path.
SELECT model, tokens_in, tokens_out, cached, cache_write, tool,
       (masecon.event_price(model, '2026-01-01', tokens_in, tokens_out, cached, cache_write, tool)).execution_cost_total
  FROM (VALUES ('gpt-4o', 2006::bigint, 300::bigint, 1920::bigint, 0::bigint, 0::numeric),
               ('gpt-4o', 2006, 300, 1920, 0, 0.0030),
               ('gpt-4o', 0, 0, 0, 0, 0.000),
               ('claude-3-opus', 5200, 410, 0, 4000, 0),
               ('trailing-zero-model', 1000000, 100000, 0, 0, 0),
               ('long-price-model', 3, 2, 1, 0, 0),
               ('wide-price-model', 1000000000000, 1000000000000, 0, 0, 0),
               ('wide-price-model', 1, 0, 0, 0, 0.5)) AS e(model, tokens_in, tokens_out, cached, cache_write, tool);

-- The trigger stores the same costs, and keeps the customer_id it was sent.
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out,
     cached_tokens_in, tool_cost_total)
VALUES ('exact-1', 'exact-customer', 'exact-run', 'gpt-4o-2024-08-06', 2006, 300, 1920, 0),
       ('exact-2', 'exact-customer', 'exact-run', 'gpt-4o-2024-08-06', 2006, 300, 1920, 0.0030),
       ('exact-3', 'exact-customer', 'exact-run', 'long-price-model', 3, 2, 1, 0.000),
       ('exact-4', 'exact-customer', 'exact-run', 'wide-price-model', 1000000000000, 1000000000000, 0, 0);
INSERT INTO masecon.execution_events
    (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('exact-5', 'exact-run', 'Trailing-Zero-Model', 1000000, 100000);

SELECT execution_id, customer_id, resolved_model, execution_cost_total, price_status
  FROM masecon.execution_events
 WHERE execution_id LIKE 'exact-%'
 ORDER BY execution_id;

-- A price change is seen by the next insert, on both paths.
UPDATE masecon.model_prices SET input_usd_per_1m = 3.1 WHERE model_name = 'trailing-zero-model';
UPDATE masecon.model_prices SET input_usd_per_1m = 1.0000000000000000003 WHERE model_name = 'long-price-model';
INSERT INTO masecon.execution_events
    (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('exact-6', 'exact-run', 'trailing-zero-model', 1000000, 100000),
       ('exact-7', 'exact-run', 'long-price-model', 3, 2);
SELECT execution_id, execution_cost_total
  FROM masecon.execution_events
 WHERE execution_id IN ('exact-6', 'exact-7')
 ORDER BY execution_id;

DELETE FROM masecon.execution_events WHERE execution_id LIKE 'exact-%';
DELETE FROM masecon.workflows WHERE workflow_id = 'exact-run';
DELETE FROM masecon.model_prices WHERE provider = 'test';

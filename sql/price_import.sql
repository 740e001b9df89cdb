-- masecon.mas_import_prices: a LiteLLM price list (USD per token) loaded
-- into the catalog (USD per 1M), exactly, entry by entry.
\set SHOW_CONTEXT never
\pset null '(null)'

-- The public list of 1,701 entries in test/data/.  Everything below runs
-- in one transaction that is rolled back, so that the other tests see the
-- shipped catalog.
\set prices `cat test/data/litellm_model_prices.json`
BEGIN;
-- Start from the shipped catalog, whatever earlier tests added.
DELETE FROM masecon.model_prices WHERE NOT shipped;
DELETE FROM masecon.model_aliases WHERE NOT shipped;

-- What the import does with each entry, by reason.  Of the 1,701 entries,
-- 1,342 are text models (chat, completion or responses mode) with both
-- prices.  Of these, 11 are shipped, 5 are aliases and 1 has an
-- implausible price.  The others are 84 text models without prices, 265
-- models of other modes and 10 entries without a mode.
CREATE TEMP TABLE first_import AS
SELECT * FROM masecon.mas_import_prices(:'prices', '2026-01-01 00:00+00');
SELECT action, reason, count(*)
  FROM first_import
 GROUP BY action, reason
 ORDER BY action, reason;

SELECT count(*) AS imported_rows,
       count(*) FILTER (WHERE valid_from = '2026-01-01 00:00+00') AS from_2026
  FROM masecon.model_prices
 WHERE NOT shipped;

-- Per-token floats arrive as exact decimals: 2e-06 is 2 per 1M, 7.5e-08
-- is 0.075 and 1.875e-05 is 18.75.  o1-pro is a responses-mode model.
SELECT model_name, provider, input_usd_per_1m, output_usd_per_1m,
       cached_input_usd_per_1m, cache_write_usd_per_1m
  FROM masecon.model_prices
 WHERE model_name IN ('gpt-4.1', 'claude-3-5-haiku-20241022', 'o1-pro',
                      'deepseek/deepseek-chat', 'gemini/gemini-1.5-pro',
                      'claude-3-opus-20240229', 'gpt-4o-mini')
 ORDER BY model_name, valid_from;

-- An imported model prices events from valid_from on: 1000 input and 200
-- output tokens on gpt-4.1 cost 1000 * 2 + 200 * 8 = 3600 per 1M.  Before
-- valid_from the model has no price.
SELECT execution_cost_total, price_status, resolved_model
  FROM masecon.event_price('gpt-4.1', '2026-02-01 00:00+00', 1000, 200);
SELECT execution_cost_total, price_status, resolved_model
  FROM masecon.event_price('gpt-4.1', '2025-12-31 23:59+00', 1000, 200);

-- The skipped entries and their details, one of each kind.
SELECT model_name, action, reason, detail
  FROM first_import
 WHERE model_name IN ('azure_ai/jais-30b-chat', 'claude-3-5-sonnet-latest',
                      'gpt-4o', 'fireworks-ai-default', 'hd/1024-x-1792/dall-e-3',
                      'text-embedding-3-small', 'gpt-4.1')
    OR (reason = 'no price' AND model_name = (
            SELECT min(p.key COLLATE "C")
              FROM jsonb_each(:'prices') AS p
             WHERE p.value ->> 'mode' = 'chat'
               AND NOT p.value ? 'input_cost_per_token'))
 ORDER BY model_name COLLATE "C";

-- Non-text modes, as the list has them.
SELECT detail, count(*)
  FROM first_import
 WHERE reason = 'not a text model'
 GROUP BY detail
 ORDER BY detail;

-- replace with a later valid_from.  Only gpt-3.5-turbo differs from the
-- catalog, because LiteLLM lists 1.50 and 2.00 where the catalog ships 0.50
-- and 1.50, so it alone gets a new row.
CREATE TEMP TABLE second_import AS
SELECT * FROM masecon.mas_import_prices(:'prices', '2026-06-01 00:00+00', replace => true);
SELECT action, reason, count(*)
  FROM second_import
 GROUP BY action, reason
 ORDER BY action, reason;
SELECT model_name, action, reason, detail, input_usd_per_1m, output_usd_per_1m
  FROM second_import
 WHERE action <> 'skipped';
-- The same import once more finds nothing to change.
SELECT action, reason, count(*)
  FROM masecon.mas_import_prices(:'prices', '2026-06-01 00:00+00', replace => true)
 WHERE action <> 'skipped' OR reason IN ('unchanged', 'already in the catalog')
 GROUP BY action, reason;
SELECT model_name, input_usd_per_1m, output_usd_per_1m, valid_from, shipped
  FROM masecon.model_prices
 WHERE model_name = 'gpt-3.5-turbo'
 ORDER BY valid_from;
-- Events keep the price valid at their timestamp: 1000 input and 1000
-- output tokens cost 0.002 before and 0.0035 after.
SELECT at, (masecon.event_price('gpt-3.5-turbo', at, 1000, 1000)).execution_cost_total
  FROM unnest(ARRAY['2026-05-31 23:59+00', '2026-06-01 00:00+00']::timestamptz[]) AS at;

-- Hand-made entries for the cases the public list lacks.  replace at the
-- row's own valid_from edits the row, and the edited shipped row is then
-- saved by pg_dump.
SELECT model_name, action, reason, detail, input_usd_per_1m, output_usd_per_1m,
       cached_input_usd_per_1m, cache_write_usd_per_1m
  FROM masecon.mas_import_prices($json$
{
  "gpt-4":            {"input_cost_per_token": 3.1e-05, "output_cost_per_token": 6e-05,
                       "litellm_provider": "openai", "mode": "chat"},
  "acme-string":      {"input_cost_per_token": "3e-06", "output_cost_per_token": 1.5e-05,
                       "litellm_provider": "acme", "mode": "chat"},
  "acme-negative":    {"input_cost_per_token": -3e-06, "output_cost_per_token": 1.5e-05,
                       "litellm_provider": "acme", "mode": "chat"},
  "acme-tiny":        {"input_cost_per_token": 3e-13, "output_cost_per_token": 1.5e-05,
                       "litellm_provider": "acme", "mode": "chat"},
  "acme-cache-above": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                       "cache_read_input_token_cost": 6e-06,
                       "litellm_provider": "acme", "mode": "chat"},
  "acme-no-provider": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                       "mode": "completion"},
  "acme-no-output":   {"input_cost_per_token": 3e-06, "litellm_provider": "acme", "mode": "chat"},
  "acme-free":        {"input_cost_per_token": 0, "output_cost_per_token": 0.0,
                       "litellm_provider": "ollama", "mode": "chat"},
  "acme-list":        [1, 2],
  "acme-exact":       {"input_cost_per_token": 0.0000012345678901234567, "output_cost_per_token": 1e-06,
                       "litellm_provider": "acme", "mode": "chat"}
}
$json$, '-infinity', replace => true)
 ORDER BY model_name COLLATE "C";
SELECT model_name, input_usd_per_1m, valid_from, shipped
  FROM masecon.model_prices
 WHERE model_name IN ('gpt-4', 'acme-free', 'acme-exact')
 ORDER BY model_name;

ROLLBACK;

-- The rollback left the shipped catalog alone.
SELECT count(*) FILTER (WHERE shipped) AS shipped,
       count(*) FILTER (WHERE model_name = 'gpt-4.1') AS imported
  FROM masecon.model_prices;
SELECT input_usd_per_1m FROM masecon.model_prices WHERE model_name = 'gpt-4';

-- Arguments that are not a price list.
SELECT * FROM masecon.mas_import_prices('[{"gpt-4": {}}]');
SELECT * FROM masecon.mas_import_prices(NULL);
SELECT * FROM masecon.mas_import_prices('{}', NULL);

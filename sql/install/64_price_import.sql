-- Importing a price list in LiteLLM's JSON format into the catalog.
--
-- LiteLLM's model_prices_and_context_window.json maps each model name to
-- an object with prices in USD per token (input_cost_per_token,
-- output_cost_per_token, cache_read_input_token_cost,
-- cache_creation_input_token_cost), litellm_provider and mode.  The JSON
-- numbers are read as numeric, so 2.5e-06 becomes exactly 2.50 per 1M.

-- Outcome of masecon.mas_import_prices for one entry of the price list.
CREATE TYPE masecon.imported_price AS (
    model_name text,
    action text,
    reason text,
    detail text,
    provider text,
    input_usd_per_1m numeric,
    output_usd_per_1m numeric,
    cached_input_usd_per_1m numeric,
    cache_write_usd_per_1m numeric
);
COMMENT ON TYPE masecon.imported_price IS
    'result of masecon.mas_import_prices for one model: action is added, changed or skipped, reason says why and detail gives the specifics';

-- Converts one per-token price of a price list entry to USD per 1M
-- tokens; NULL when the field is absent or null.
CREATE FUNCTION masecon.per_token_price(entry jsonb, field text)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    value jsonb := entry -> field;
BEGIN
    IF value IS NULL OR value = 'null'::jsonb THEN
        RETURN NULL;
    END IF;
    IF pg_catalog.jsonb_typeof(value) <> 'number' THEN
        RAISE EXCEPTION '% is not a number: %', field, value
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN pg_catalog.trim_scale(value::text::numeric * 1000000);
END
$$;
COMMENT ON FUNCTION masecon.per_token_price(jsonb, text) IS
    'a USD-per-token price field of a LiteLLM price list entry, in USD per 1M tokens';

CREATE FUNCTION masecon.mas_import_prices(
    prices jsonb,
    valid_from timestamptz DEFAULT pg_catalog.now(),
    replace boolean DEFAULT false)
RETURNS SETOF masecon.imported_price
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    entry record;
    result masecon.imported_price;
    mode text;
    alias_of text;
    current masecon.model_prices;
    known boolean;
BEGIN
    IF pg_catalog.jsonb_typeof(prices) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'prices must be a JSON object of model names, not %',
                coalesce(pg_catalog.jsonb_typeof(prices), 'null')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the contents of LiteLLM''s model_prices_and_context_window.json.';
    END IF;
    IF valid_from IS NULL THEN
        RAISE EXCEPTION 'valid_from must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass -infinity to price events of any date.';
    END IF;

    FOR entry IN
        SELECT p.key AS model_name, p.value AS fields
          FROM pg_catalog.jsonb_each(prices) AS p
         ORDER BY p.key COLLATE "C"
    LOOP
        result := NULL;
        result.model_name := entry.model_name;
        result.action := 'skipped';

        IF pg_catalog.jsonb_typeof(entry.fields) <> 'object' THEN
            result.reason := 'not an object';
            RETURN NEXT result;
            CONTINUE;
        END IF;

        -- Only text generation is priced per input and output token.  The
        -- other modes (embedding, image_generation, audio_transcription,
        -- rerank, ...) bill other units or have no output tokens.
        mode := entry.fields ->> 'mode';
        IF mode IS NULL THEN
            result.reason := 'no mode';
            RETURN NEXT result;
            CONTINUE;
        END IF;
        IF mode NOT IN ('chat', 'completion', 'responses') THEN
            result.reason := 'not a text model';
            result.detail := format('mode is %s', mode);
            RETURN NEXT result;
            CONTINUE;
        END IF;

        result.provider := entry.fields ->> 'litellm_provider';
        BEGIN
            result.input_usd_per_1m := masecon.per_token_price(entry.fields, 'input_cost_per_token');
            result.output_usd_per_1m := masecon.per_token_price(entry.fields, 'output_cost_per_token');
            result.cached_input_usd_per_1m := masecon.per_token_price(entry.fields, 'cache_read_input_token_cost');
            result.cache_write_usd_per_1m := masecon.per_token_price(entry.fields, 'cache_creation_input_token_cost');
        EXCEPTION WHEN invalid_parameter_value THEN
            result.reason := 'invalid price';
            result.detail := SQLERRM;
            RETURN NEXT result;
            CONTINUE;
        END;
        -- NOTE: tiered prices (input_cost_per_token_above_128k_tokens and
        -- the like) and batch prices are not imported; the base price
        -- applies to every event.
        IF result.input_usd_per_1m IS NULL OR result.output_usd_per_1m IS NULL THEN
            result.reason := 'no price';
            result.detail := CASE
                WHEN result.input_usd_per_1m IS NULL AND result.output_usd_per_1m IS NULL
                    THEN 'no input_cost_per_token or output_cost_per_token'
                WHEN result.input_usd_per_1m IS NULL THEN 'no input_cost_per_token'
                ELSE 'no output_cost_per_token' END;
            RETURN NEXT result;
            CONTINUE;
        END IF;

        -- An alias prices as its model.  Importing the alias as a model
        -- would pin it to this list's price, apart from that model's.
        SELECT a.model_name INTO alias_of
          FROM masecon.model_aliases AS a
         WHERE a.alias = entry.model_name;
        IF FOUND THEN
            result.reason := 'alias';
            result.detail := format('alias of %s', alias_of);
            RETURN NEXT result;
            CONTINUE;
        END IF;

        known := EXISTS (SELECT FROM masecon.model_prices AS p
                          WHERE p.model_name = entry.model_name);
        IF known AND NOT replace THEN
            result.reason := 'already in the catalog';
            RETURN NEXT result;
            CONTINUE;
        END IF;

        -- The catalog row that prices events at valid_from, if any.
        current := NULL;
        SELECT p.* INTO current
          FROM masecon.model_prices AS p
         WHERE p.model_name = entry.model_name
           AND p.valid_from <= mas_import_prices.valid_from
         ORDER BY p.valid_from DESC
         LIMIT 1;
        IF current.model_name IS NOT NULL
           AND current.input_usd_per_1m = result.input_usd_per_1m
           AND current.output_usd_per_1m = result.output_usd_per_1m
           AND current.cached_input_usd_per_1m IS NOT DISTINCT FROM result.cached_input_usd_per_1m
           AND current.cache_write_usd_per_1m IS NOT DISTINCT FROM result.cache_write_usd_per_1m THEN
            result.reason := 'unchanged';
            RETURN NEXT result;
            CONTINUE;
        END IF;

        -- The catalog's own check rejects implausible prices; one bad entry
        -- is reported and the import goes on.
        BEGIN
            IF current.valid_from = mas_import_prices.valid_from THEN
                -- An edited shipped row is no longer the shipped price, so
                -- pg_dump must save it.
                UPDATE masecon.model_prices AS p
                   SET provider = coalesce(result.provider, p.provider),
                       input_usd_per_1m = result.input_usd_per_1m,
                       output_usd_per_1m = result.output_usd_per_1m,
                       cached_input_usd_per_1m = result.cached_input_usd_per_1m,
                       cache_write_usd_per_1m = result.cache_write_usd_per_1m,
                       shipped = false
                 WHERE p.model_name = entry.model_name
                   AND p.valid_from = mas_import_prices.valid_from;
            ELSE
                INSERT INTO masecon.model_prices
                    (model_name, provider, input_usd_per_1m, output_usd_per_1m,
                     cached_input_usd_per_1m, cache_write_usd_per_1m, valid_from)
                VALUES
                    (entry.model_name, coalesce(result.provider, current.provider),
                     result.input_usd_per_1m, result.output_usd_per_1m,
                     result.cached_input_usd_per_1m, result.cache_write_usd_per_1m,
                     mas_import_prices.valid_from);
            END IF;
        EXCEPTION WHEN check_violation OR not_null_violation OR invalid_parameter_value
                       OR string_data_right_truncation THEN
            result.reason := 'rejected by the catalog check';
            result.detail := SQLERRM;
            RETURN NEXT result;
            CONTINUE;
        END;

        IF known THEN
            result.action := 'changed';
            result.reason := 'price changed';
            IF current.model_name IS NOT NULL THEN
                result.detail := format('was input %s, output %s, cached input %s, cache write %s',
                                        current.input_usd_per_1m, current.output_usd_per_1m,
                                        coalesce(current.cached_input_usd_per_1m::text, 'NULL'),
                                        coalesce(current.cache_write_usd_per_1m::text, 'NULL'));
            ELSE
                result.detail := 'no earlier row was valid at valid_from';
            END IF;
        ELSE
            result.action := 'added';
            result.reason := 'new model';
        END IF;
        RETURN NEXT result;
    END LOOP;
END
$$;
COMMENT ON FUNCTION masecon.mas_import_prices(jsonb, timestamptz, boolean) IS
    'loads the chat, completion and responses models of a LiteLLM price list (USD per token) into masecon.model_prices from valid_from on; keeps models already in the catalog unless replace is true; returns what it did with each entry';

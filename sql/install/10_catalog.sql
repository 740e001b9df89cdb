-- The price catalog and the model-name aliases.

CREATE TABLE masecon.model_prices (
    model_name text NOT NULL,
    provider text NOT NULL,
    input_usd_per_1m numeric NOT NULL,
    output_usd_per_1m numeric NOT NULL,
    cached_input_usd_per_1m numeric,
    cache_write_usd_per_1m numeric,
    valid_from timestamptz NOT NULL DEFAULT '-infinity',
    shipped boolean NOT NULL DEFAULT false,
    PRIMARY KEY (model_name, valid_from)
);
COMMENT ON TABLE masecon.model_prices IS
    'price catalog: one row per model and effective date, prices in USD per 1M tokens';
COMMENT ON COLUMN masecon.model_prices.model_name IS
    'the vendor''s API model identifier, matched exactly before any alias or spelling rule';
COMMENT ON COLUMN masecon.model_prices.cached_input_usd_per_1m IS
    'price of cache-read input tokens; NULL means the input price applies';
COMMENT ON COLUMN masecon.model_prices.cache_write_usd_per_1m IS
    'price of cache-write input tokens; NULL means the input price applies';
COMMENT ON COLUMN masecon.model_prices.valid_from IS
    'the row prices events whose timestamp is at or after this instant, until the next row of the same model';
COMMENT ON COLUMN masecon.model_prices.shipped IS
    'true for rows the extension installs; pg_dump saves only the other rows';

CREATE TABLE masecon.model_aliases (
    alias text PRIMARY KEY,
    model_name text NOT NULL,
    shipped boolean NOT NULL DEFAULT false,
    CONSTRAINT model_aliases_alias_lower CHECK (alias = lower(alias) AND alias <> ''),
    CONSTRAINT model_aliases_not_self CHECK (alias <> model_name)
);
COMMENT ON TABLE masecon.model_aliases IS
    'names that price as a catalog model; matched after an exact catalog name, case-insensitively';

-- Reject prices that look like a unit slip.  Real list prices per 1M tokens
-- lie between about 0.005 (cache reads of the smallest models) and 600
-- (o1-pro output).  A per-token figure typed into a per-1M column is below
-- 0.001, and a figure above 1000 is taken for a typing error.
CREATE FUNCTION masecon.check_model_price()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    columns text[] := ARRAY['input_usd_per_1m', 'output_usd_per_1m',
                            'cached_input_usd_per_1m', 'cache_write_usd_per_1m'];
    prices numeric[] := ARRAY[NEW.input_usd_per_1m, NEW.output_usd_per_1m,
                              NEW.cached_input_usd_per_1m, NEW.cache_write_usd_per_1m];
    i integer;
BEGIN
    IF NEW.model_name IS NULL OR btrim(NEW.model_name) = '' THEN
        RAISE EXCEPTION 'model_name must not be empty'
            USING ERRCODE = 'check_violation',
                  HINT = 'Use the vendor''s API model identifier, such as gpt-4o.';
    END IF;
    IF length(NEW.model_name) > 200 THEN
        RAISE EXCEPTION 'model_name "%" is longer than 200 characters', left(NEW.model_name, 40) || '...'
            USING ERRCODE = 'string_data_right_truncation';
    END IF;
    IF NEW.provider IS NULL OR btrim(NEW.provider) = '' THEN
        RAISE EXCEPTION 'provider of model "%" must not be empty', NEW.model_name
            USING ERRCODE = 'check_violation',
                  HINT = 'Use the vendor''s name, such as openai or anthropic.';
    END IF;
    IF NEW.valid_from = 'infinity'::timestamptz THEN
        RAISE EXCEPTION 'valid_from of model "%" must not be infinity', NEW.model_name
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A row valid from infinity would never price an event; use a real instant or -infinity.';
    END IF;
    FOR i IN 1 .. 4 LOOP
        CONTINUE WHEN prices[i] IS NULL;
        IF prices[i]::text IN ('NaN', 'Infinity', '-Infinity') THEN
            RAISE EXCEPTION 'invalid % for model "%": %', columns[i], NEW.model_name, prices[i]
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Prices are finite numbers of USD per 1M tokens.';
        END IF;
        IF prices[i] < 0 THEN
            RAISE EXCEPTION 'negative % for model "%": %', columns[i], NEW.model_name, prices[i]
                USING ERRCODE = 'check_violation',
                      HINT = 'Prices are zero or more USD per 1M tokens.';
        END IF;
        IF prices[i] > 0 AND prices[i] < 0.001 THEN
            RAISE EXCEPTION '% for model "%" is implausibly low: % USD per 1M tokens', columns[i], NEW.model_name, prices[i]
                USING ERRCODE = 'check_violation',
                      DETAIL = 'Prices below 0.001 USD per 1M tokens are taken for a per-token or per-1K figure.',
                      HINT = format('Multiply a per-token price by 1000000 (here %s) or a per-1K price by 1000 (here %s).',
                                    pg_catalog.trim_scale(prices[i] * 1000000), pg_catalog.trim_scale(prices[i] * 1000));
        END IF;
        IF prices[i] > 1000 THEN
            RAISE EXCEPTION '% for model "%" is implausibly high: % USD per 1M tokens', columns[i], NEW.model_name, prices[i]
                USING ERRCODE = 'check_violation',
                      DETAIL = 'No listed model costs more than 1000 USD per 1M tokens.',
                      HINT = 'Prices are in USD per 1M tokens; check the unit of the source.';
        END IF;
    END LOOP;
    IF NEW.cached_input_usd_per_1m > NEW.input_usd_per_1m THEN
        RAISE EXCEPTION 'cached_input_usd_per_1m (%) of model "%" is above its input_usd_per_1m (%)',
                NEW.cached_input_usd_per_1m, NEW.model_name, NEW.input_usd_per_1m
            USING ERRCODE = 'check_violation',
                  HINT = 'Cache reads are billed below the input price; check that the two columns are not swapped.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION masecon.check_model_price() IS
    'trigger function that rejects catalog prices which look like a unit slip';

CREATE TRIGGER model_prices_check
    BEFORE INSERT OR UPDATE ON masecon.model_prices
    FOR EACH ROW EXECUTE FUNCTION masecon.check_model_price();

-- The pricing trigger keeps the catalog in backend memory; this statement
-- trigger makes every session drop its copy when the catalog changes.
CREATE FUNCTION masecon.invalidate_catalog_cache()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'masecon_invalidate_catalog_cache';
COMMENT ON FUNCTION masecon.invalidate_catalog_cache() IS
    'trigger function that makes every backend reload its cached copy of the catalog tables';

CREATE TRIGGER model_prices_invalidate
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON masecon.model_prices
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.invalidate_catalog_cache();
CREATE TRIGGER model_aliases_invalidate
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON masecon.model_aliases
    FOR EACH STATEMENT EXECUTE FUNCTION masecon.invalidate_catalog_cache();

-- List prices in USD per 1M tokens as OpenAI and Anthropic publish them on
-- their pricing pages for these models.  They apply to events of any
-- date; add a row with a later valid_from to change a price from then on.
INSERT INTO masecon.model_prices
    (model_name, provider, input_usd_per_1m, output_usd_per_1m,
     cached_input_usd_per_1m, cache_write_usd_per_1m, shipped)
VALUES
    ('gpt-4',                      'openai',    30.00, 60.00, NULL,  NULL,  true),
    ('gpt-4-turbo',                'openai',    10.00, 30.00, NULL,  NULL,  true),
    ('gpt-4o',                     'openai',     2.50, 10.00, 1.25,  NULL,  true),
    ('gpt-4o-2024-05-13',          'openai',     5.00, 15.00, NULL,  NULL,  true),
    ('gpt-4o-mini',                'openai',     0.15,  0.60, 0.075, NULL,  true),
    ('gpt-3.5-turbo',              'openai',     0.50,  1.50, NULL,  NULL,  true),
    ('claude-3-opus-20240229',     'anthropic', 15.00, 75.00, 1.50,  18.75, true),
    ('claude-3-sonnet-20240229',   'anthropic',  3.00, 15.00, NULL,  NULL,  true),
    ('claude-3-5-sonnet-20241022', 'anthropic',  3.00, 15.00, 0.30,  3.75,  true),
    ('claude-3-5-sonnet-20240620', 'anthropic',  3.00, 15.00, 0.30,  3.75,  true),
    ('claude-3-haiku-20240307',    'anthropic',  0.25,  1.25, 0.03,  0.30,  true);

INSERT INTO masecon.model_aliases (alias, model_name, shipped)
VALUES
    ('gpt-4-turbo-preview',      'gpt-4-turbo',                true),
    ('gpt-4-0125-preview',       'gpt-4-turbo',                true),
    ('gpt-4-1106-preview',       'gpt-4-turbo',                true),
    ('claude-3-opus',            'claude-3-opus-20240229',     true),
    ('claude-3-opus-latest',     'claude-3-opus-20240229',     true),
    ('claude-3-sonnet',          'claude-3-sonnet-20240229',   true),
    ('claude-3-5-sonnet',        'claude-3-5-sonnet-20241022', true),
    ('claude-3-5-sonnet-latest', 'claude-3-5-sonnet-20241022', true),
    ('claude-3-haiku',           'claude-3-haiku-20240307',    true);

SELECT pg_catalog.pg_extension_config_dump('masecon.model_prices', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('masecon.model_aliases', 'WHERE NOT shipped');

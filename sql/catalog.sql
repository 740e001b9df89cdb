-- The shipped price catalog and the checks on catalog edits.

-- Every shipped model, with its prices in USD per 1M tokens.
SELECT model_name, provider, input_usd_per_1m, output_usd_per_1m,
       cached_input_usd_per_1m, cache_write_usd_per_1m, valid_from
  FROM masecon.model_prices
 ORDER BY model_name, valid_from;

SELECT alias, model_name FROM masecon.model_aliases ORDER BY alias;

-- A per-token figure typed into a per-1M column.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('slip-per-token', 'example', 0.0000025, 10);

-- A per-1K figure of a cheap model.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('slip-per-1k', 'example', 0.15, 0.0006);

-- Above any listed price.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('slip-high', 'example', 2500, 10);

-- A cached-input price above the input price.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m,
                                  cached_input_usd_per_1m)
VALUES ('cached-above-input', 'example', 1.00, 2.00, 1.50);

-- Negative, NaN and infinite prices.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('negative', 'example', -1, 2);
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('not-a-number', 'example', 'NaN', 2);
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m,
                                  cache_write_usd_per_1m)
VALUES ('infinite', 'example', 1, 2, 'Infinity');

-- Empty names and a valid_from that could never price an event.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('  ', 'example', 1, 2);
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('no-provider', '', 1, 2);
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m, valid_from)
VALUES ('never', 'example', 1, 2, 'infinity');

-- An update is checked the same way.
UPDATE masecon.model_prices SET output_usd_per_1m = 0.00001 WHERE model_name = 'gpt-4o';

-- Aliases are lower case and do not point at themselves.
INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('GPT-Four', 'gpt-4');
INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('gpt-4', 'gpt-4');

-- None of the rejected rows was stored.
SELECT count(*) AS catalog_rows FROM masecon.model_prices;
SELECT output_usd_per_1m FROM masecon.model_prices WHERE model_name = 'gpt-4o';

-- Zero is a valid price (free tiers), and a valid row goes in.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('free-model', 'example', 0, 0);
DELETE FROM masecon.model_prices WHERE model_name = 'free-model';

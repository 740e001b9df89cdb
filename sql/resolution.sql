-- Model-name resolution: exact catalog names first, then aliases, then the
-- spellings producers use.

SELECT left(name, 48) AS name, masecon.mas_resolve_model(name) AS resolved
  FROM (VALUES
    ('gpt-4o'),                                  -- exact
    ('gpt-4o-2024-08-06'),                       -- ISO date suffix
    ('gpt-4o-2024-05-13'),                       -- exact dated entry beats the rule
    ('GPT-4o'),                                  -- letter case
    ('openai/gpt-4o'),                           -- provider prefix
    ('openrouter/openai/gpt-4o-mini'),           -- two routing prefixes
    ('azure/GPT-4o-Mini-2024-07-18'),            -- prefix, case and date together
    ('gpt-4o-mini-2024-07-18'),
    ('gpt-4-turbo-2024-04-09'),
    ('gpt-4-turbo-preview'),                     -- alias
    ('gpt-4-0125-preview'),                      -- alias
    ('gpt-3.5-turbo-0125'),                      -- four-digit date suffix
    ('gpt-4-0613'),
    ('claude-3-opus-20240229'),                  -- exact
    ('claude-3-opus'),                           -- alias to the dated id
    ('claude-3-opus-latest'),
    ('anthropic/claude-3-5-sonnet-20240620'),    -- prefix, then the exact dated id
    ('claude-3-5-sonnet-latest'),
    ('claude-3-5-sonnet@20240620'),              -- Vertex AI spelling
    ('anthropic.claude-3-haiku-20240307-v1:0'),  -- Bedrock spelling
    ('us.anthropic.claude-3-5-sonnet-20241022-v2:0'),
    ('Claude-3-Haiku'),
    ('gpt-5-unknown'),                           -- not in the catalog
    ('gpt-4o-20'),                               -- not a date suffix
    (''),
    (repeat('x', 300))                           -- longer than any cached name
  ) AS t(name);

-- A user alias resolves, and an alias to a model without prices resolves to nothing.
INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('team-default', 'gpt-4o-mini');
INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('dangling', 'no-such-model');
SELECT masecon.mas_resolve_model('team-default') AS team_default,
       masecon.mas_resolve_model('Team-Default') AS mixed_case,
       masecon.mas_resolve_model('dangling') AS dangling;

-- An exact catalog entry wins over an alias of the same spelling.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('team-default', 'example', 1, 1);
SELECT masecon.mas_resolve_model('team-default') AS exact_beats_alias;

DELETE FROM masecon.model_prices WHERE model_name = 'team-default';
DELETE FROM masecon.model_aliases WHERE alias IN ('team-default', 'dangling');
SELECT masecon.mas_resolve_model('team-default') AS after_delete;

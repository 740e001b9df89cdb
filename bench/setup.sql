-- Schema of the ingest benchmark: registered customers and workflows, a
-- price change inside the benchmark's month, and the two baseline tables.
-- Runs in a fresh database after CREATE EXTENSION masecon.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE SCHEMA bench;

-- Eight customers, 200 workflows registered beforehand, so that the
-- pricing trigger only checks ownership and never registers a workflow.
-- Ids are text made of digits because pgbench variables are integers:
-- workflow w belongs to customer 1000 + w % 8.
INSERT INTO masecon.workflows (customer_id, workflow_id, workflow_name, task_type, created_at)
SELECT (1000 + w % 8)::text, w::text, 'bench workflow ' || w,
       (ARRAY['support', 'research', 'coding', 'triage'])[1 + w % 4],
       '2026-01-01 00:00:00+00'
  FROM pg_catalog.generate_series(100000, 100199) AS w;

-- A price change in the middle of the month the events span, so that the
-- trigger has to pick the row valid at each event's timestamp.
INSERT INTO masecon.model_prices
    (model_name, provider, input_usd_per_1m, output_usd_per_1m,
     cached_input_usd_per_1m, cache_write_usd_per_1m, valid_from)
VALUES
    ('gpt-4o',                     'openai',    2.00, 8.00, 1.00, NULL, '2026-01-16 00:00:00+00'),
    ('claude-3-5-sonnet-20241022', 'anthropic', 2.70, 13.50, 0.27, 3.40, '2026-01-16 00:00:00+00');

-- The bound: the same table with no trigger at all.
CREATE TABLE bench.events_bare
    (LIKE masecon.execution_events INCLUDING ALL);

-- The usual alternative: the same table priced by a PL/pgSQL trigger that
-- looks the catalog up with SQL for every row.
CREATE TABLE bench.events_plpgsql
    (LIKE masecon.execution_events INCLUDING ALL);

-- Prices NEW as masecon.price_event() does for the spellings the benchmark
-- sends: the exact name, then an alias, then in lower case, without a
-- provider prefix and without a date suffix, each tried against the
-- catalog and then the aliases.  It checks the token counts and the
-- workflow's owner with SQL as well.
CREATE FUNCTION bench.price_event_plpgsql()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    owner text;
    spelling text;
    spellings text[];
    model text;
    price masecon.model_prices%ROWTYPE;
    fresh bigint;
BEGIN
    IF NEW.tokens_in < 0 OR NEW.tokens_out < 0 OR NEW.cached_tokens_in < 0
       OR NEW.cache_write_tokens_in < 0 THEN
        RAISE EXCEPTION 'negative token count' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.cached_tokens_in + NEW.cache_write_tokens_in > NEW.tokens_in THEN
        RAISE EXCEPTION 'cached tokens exceed tokens_in' USING ERRCODE = 'check_violation';
    END IF;

    SELECT w.customer_id INTO owner
      FROM masecon.workflows AS w
     WHERE w.workflow_id = NEW.workflow_id;
    IF owner IS NULL THEN
        RAISE EXCEPTION 'workflow "%" does not exist', NEW.workflow_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF NEW.customer_id IS NULL THEN
        NEW.customer_id := owner;
    ELSIF NEW.customer_id <> owner THEN
        RAISE EXCEPTION 'workflow "%" belongs to customer "%"', NEW.workflow_id, owner
            USING ERRCODE = 'foreign_key_violation';
    END IF;

    spelling := lower(NEW.model_name);
    spellings := ARRAY[NEW.model_name, spelling];
    spelling := regexp_replace(spelling, '^.*/', '');
    spellings := spellings || spelling;
    spellings := spellings || regexp_replace(spelling, '-(\d{4}-\d{2}-\d{2}|\d{8})$', '');

    FOREACH spelling IN ARRAY spellings LOOP
        SELECT p.model_name INTO model
          FROM masecon.model_prices AS p
         WHERE p.model_name = spelling
         LIMIT 1;
        IF model IS NULL THEN
            SELECT a.model_name INTO model
              FROM masecon.model_aliases AS a
             WHERE a.alias = spelling;
        END IF;
        EXIT WHEN model IS NOT NULL;
    END LOOP;

    IF model IS NOT NULL THEN
        SELECT * INTO price
          FROM masecon.model_prices AS p
         WHERE p.model_name = model
           AND p.valid_from <= NEW."timestamp"
         ORDER BY p.valid_from DESC
         LIMIT 1;
    END IF;

    IF price.model_name IS NULL THEN
        NEW.resolved_model := NULL;
        NEW.execution_cost_total := NEW.tool_cost_total;
        NEW.price_status := 'unpriced';
        RETURN NEW;
    END IF;

    fresh := NEW.tokens_in - NEW.cached_tokens_in - NEW.cache_write_tokens_in;
    NEW.resolved_model := price.model_name;
    NEW.execution_cost_total := trim_scale(
        (fresh * price.input_usd_per_1m
         + NEW.cached_tokens_in * coalesce(price.cached_input_usd_per_1m, price.input_usd_per_1m)
         + NEW.cache_write_tokens_in * coalesce(price.cache_write_usd_per_1m, price.input_usd_per_1m)
         + NEW.tokens_out * price.output_usd_per_1m) * 0.000001
        + NEW.tool_cost_total);
    NEW.price_status := 'priced';
    RETURN NEW;
END
$$;

CREATE TRIGGER events_plpgsql_price
    BEFORE INSERT ON bench.events_plpgsql
    FOR EACH ROW EXECUTE FUNCTION bench.price_event_plpgsql();

-- The model spellings producers send, with the weight of each in the mix
-- and whether its calls read or write the prompt cache.
CREATE TABLE bench.models (
    model_name text PRIMARY KEY,
    resolved_model text NOT NULL,
    agent_id text NOT NULL,
    weight integer NOT NULL,
    cache_reads boolean NOT NULL,
    cache_writes boolean NOT NULL
);
INSERT INTO bench.models VALUES
    ('gpt-4o-2024-08-06',          'gpt-4o',                     'planner',    3, true,  false),
    ('openai/gpt-4o-mini',         'gpt-4o-mini',                'researcher', 3, true,  false),
    ('claude-3-5-sonnet-20241022', 'claude-3-5-sonnet-20241022', 'writer',     2, true,  true),
    ('Claude-3-Haiku-20240307',    'claude-3-haiku-20240307',    'router',     2, true,  true),
    ('claude-3-opus',              'claude-3-opus-20240229',     'reviewer',   1, false, true),
    ('gpt-4-turbo-preview',        'gpt-4-turbo',                'coder',      1, false, false),
    ('gpt-3.5-turbo',              'gpt-3.5-turbo',              'summarizer', 1, false, false);

-- Memory of the benchmark's own backend, read by the memory test.
CREATE TABLE bench.memory (
    inserts bigint PRIMARY KEY,
    context_bytes bigint NOT NULL,
    cache_context_bytes bigint NOT NULL,
    vm_rss_kb bigint NOT NULL,
    rss_anon_kb bigint NOT NULL
);

CREATE FUNCTION bench.record_memory(inserts bigint)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO bench.memory
    SELECT inserts,
           (SELECT sum(total_bytes) FROM pg_backend_memory_contexts),
           (SELECT sum(c.total_bytes)
              FROM pg_backend_memory_contexts AS c
             WHERE c.name = 'CacheMemoryContext' OR c.parent = 'CacheMemoryContext'),
           (regexp_match(status, 'VmRSS:\s+(\d+)'))[1]::bigint,
           (regexp_match(status, 'RssAnon:\s+(\d+)'))[1]::bigint
      FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') AS status;
$$;

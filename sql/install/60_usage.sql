-- Recording an event from the usage object an LLM API returned.
--
-- masecon counts tokens_in as all input tokens, with cached_tokens_in and
-- cache_write_tokens_in as parts of it.  OpenAI counts cached tokens
-- inside prompt_tokens (Chat Completions) and input_tokens (Responses);
-- Anthropic reports input_tokens without the cache, and the cache reads
-- and writes beside it, so they are added back here.

-- Token counts read from an API usage object, in masecon's convention.
CREATE TYPE masecon.usage_tokens AS (
    usage_format text,
    tokens_in bigint,
    tokens_out bigint,
    cached_tokens_in bigint,
    cache_write_tokens_in bigint
);
COMMENT ON TYPE masecon.usage_tokens IS
    'token counts of one API usage object: usage_format names the shape that was read (openai_chat, openai_responses, anthropic_messages, input_output_tokens)';

-- Reads one token count of a usage object: absent and JSON null are 0,
-- anything else must be a whole number of at least 0.
CREATE FUNCTION masecon.usage_count(usage jsonb, field text)
RETURNS bigint
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    value jsonb := usage #> pg_catalog.string_to_array(field, '.');
    count numeric;
BEGIN
    IF value IS NULL OR value = 'null'::jsonb THEN
        RETURN 0;
    END IF;
    IF pg_catalog.jsonb_typeof(value) <> 'number' THEN
        RAISE EXCEPTION 'usage field "%" is not a number: %', field, value
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the usage object as the API returned it; token counts are JSON numbers.';
    END IF;
    count := value::text::numeric;
    IF count < 0 OR count <> pg_catalog.trunc(count) OR count > 9223372036854775807 THEN
        RAISE EXCEPTION 'usage field "%" is not a token count: %', field, value
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Token counts are whole numbers of 0 or more.';
    END IF;
    RETURN count::bigint;
END
$$;
COMMENT ON FUNCTION masecon.usage_count(jsonb, text) IS
    'token count at a dotted path of a usage object; 0 when absent or null, an error when not a whole number of 0 or more';

CREATE FUNCTION masecon.mas_usage_tokens(usage jsonb)
RETURNS masecon.usage_tokens
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result masecon.usage_tokens;
    keys text;
BEGIN
    -- A whole API response carries its usage object under "usage".
    IF pg_catalog.jsonb_typeof(usage) = 'object'
       AND pg_catalog.jsonb_typeof(usage -> 'usage') = 'object' THEN
        usage := usage -> 'usage';
    END IF;
    IF pg_catalog.jsonb_typeof(usage) <> 'object' THEN
        RAISE EXCEPTION 'usage must be a JSON object, not %', pg_catalog.jsonb_typeof(usage)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the "usage" object of the API response unchanged, or the whole response.';
    END IF;

    IF usage ? 'prompt_tokens' THEN
        -- OpenAI Chat Completions: prompt_tokens includes the cached
        -- tokens, and completion_tokens includes the reasoning tokens.
        result.usage_format := 'openai_chat';
        result.tokens_in := masecon.usage_count(usage, 'prompt_tokens');
        result.tokens_out := masecon.usage_count(usage, 'completion_tokens');
        result.cached_tokens_in := masecon.usage_count(usage, 'prompt_tokens_details.cached_tokens');
        result.cache_write_tokens_in := 0;
    ELSIF usage ? 'input_tokens' AND usage ? 'output_tokens' THEN
        IF usage ? 'cache_read_input_tokens' OR usage ? 'cache_creation_input_tokens' THEN
            -- Anthropic Messages: input_tokens excludes both cache counts.
            -- NOTE: all cache writes are priced at the model's single
            -- cache-write price; Anthropic bills 1-hour cache writes
            -- (cache_creation.ephemeral_1h_input_tokens) higher than
            -- 5-minute ones.
            result.usage_format := 'anthropic_messages';
            result.cached_tokens_in := masecon.usage_count(usage, 'cache_read_input_tokens');
            result.cache_write_tokens_in := masecon.usage_count(usage, 'cache_creation_input_tokens');
            result.tokens_in := masecon.usage_count(usage, 'input_tokens')
                                + result.cached_tokens_in + result.cache_write_tokens_in;
        ELSE
            -- OpenAI Responses: input_tokens includes the cached tokens.
            -- An object with input_tokens and output_tokens alone reads the
            -- same in both vendors' shapes.
            result.usage_format := CASE
                WHEN usage ? 'input_tokens_details' OR usage ? 'output_tokens_details'
                     OR usage ? 'total_tokens' THEN 'openai_responses'
                ELSE 'input_output_tokens' END;
            result.tokens_in := masecon.usage_count(usage, 'input_tokens');
            result.cached_tokens_in := masecon.usage_count(usage, 'input_tokens_details.cached_tokens');
            result.cache_write_tokens_in := 0;
        END IF;
        result.tokens_out := masecon.usage_count(usage, 'output_tokens');
    ELSE
        SELECT pg_catalog.string_agg(pg_catalog.quote_ident(k), ', ' ORDER BY k)
          INTO keys
          FROM pg_catalog.jsonb_object_keys(usage) AS k;
        RAISE EXCEPTION 'usage object has no token counts in a known format'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Expected prompt_tokens and completion_tokens (OpenAI Chat Completions), '
                                  'or input_tokens and output_tokens (OpenAI Responses; Anthropic Messages, '
                                  'with cache_read_input_tokens and cache_creation_input_tokens); '
                                  'the object has %s.',
                                  coalesce('the keys ' || keys, 'no keys')),
                  HINT = 'Pass the "usage" object of the API response unchanged, or the whole response.';
    END IF;
    RETURN result;
END
$$;
COMMENT ON FUNCTION masecon.mas_usage_tokens(jsonb) IS
    'token counts of an OpenAI Chat Completions, OpenAI Responses or Anthropic Messages usage object (or whole response), with cached and cache-write tokens counted inside tokens_in';

-- Stored event returned by masecon.mas_record_usage.
CREATE TYPE masecon.recorded_usage AS (
    execution_id text,
    customer_id text,
    workflow_id text,
    agent_id text,
    model_name text,
    resolved_model text,
    usage_format text,
    tokens_in bigint,
    tokens_out bigint,
    cached_tokens_in bigint,
    cache_write_tokens_in bigint,
    execution_cost_total numeric,
    price_status masecon.price_status,
    inserted boolean
);
COMMENT ON TYPE masecon.recorded_usage IS
    'result of masecon.mas_record_usage: the stored event''s figures; inserted is false when an event with the same execution_id was already stored';

CREATE FUNCTION masecon.mas_record_usage(
    workflow_id text,
    agent_id text,
    model text,
    usage jsonb,
    customer_id text DEFAULT NULL,
    execution_id text DEFAULT NULL,
    tool_calls integer DEFAULT 0,
    tool_cost_total numeric DEFAULT 0,
    latency_ms integer DEFAULT NULL,
    "timestamp" timestamptz DEFAULT NULL,
    reservation_id text DEFAULT NULL)
RETURNS masecon.recorded_usage
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    response jsonb;
    tokens masecon.usage_tokens;
    event_id text := mas_record_usage.execution_id;
    event_model text := mas_record_usage.model;
    event_time timestamptz := mas_record_usage."timestamp";
    result masecon.recorded_usage;
BEGIN
    IF usage IS NULL THEN
        RAISE EXCEPTION 'usage must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the "usage" object of the API response, or the whole response.';
    END IF;

    -- A whole response names the model and has an id that makes a retried
    -- call idempotent.
    IF pg_catalog.jsonb_typeof(usage) = 'object' AND usage ? 'usage' THEN
        response := usage;
        IF pg_catalog.jsonb_typeof(response -> 'usage') <> 'object' THEN
            RAISE EXCEPTION 'the response''s "usage" is %, not an object',
                    pg_catalog.jsonb_typeof(response -> 'usage')
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Record only responses that report usage; a streamed response reports it in its last chunk.';
        END IF;
        IF event_model IS NULL AND pg_catalog.jsonb_typeof(response -> 'model') = 'string' THEN
            event_model := response ->> 'model';
        END IF;
        IF event_id IS NULL AND pg_catalog.jsonb_typeof(response -> 'id') = 'string' THEN
            event_id := response ->> 'id';
        END IF;
    END IF;
    -- A partitioned events table recognizes a retry by id and "timestamp"
    -- together (see masecon.partition_events), so without a "timestamp"
    -- argument the event takes the creation time that OpenAI responses
    -- carry, the same in every retry.  Elsewhere it is the time of the call.
    IF event_time IS NULL AND response IS NOT NULL
       AND masecon.event_partition_period() IS NOT NULL THEN
        IF pg_catalog.jsonb_typeof(response -> 'created') = 'number' THEN
            event_time := pg_catalog.to_timestamp((response ->> 'created')::double precision);
        ELSIF pg_catalog.jsonb_typeof(response -> 'created_at') = 'number' THEN
            event_time := pg_catalog.to_timestamp((response ->> 'created_at')::double precision);
        END IF;
    END IF;
    event_time := coalesce(event_time, pg_catalog.now());

    IF event_model IS NULL THEN
        RAISE EXCEPTION 'model is null and the usage object names no model'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the model the API call used, or the whole API response, whose "model" field names it.';
    END IF;

    tokens := masecon.mas_usage_tokens(usage);

    INSERT INTO masecon.execution_events AS e
        (execution_id, customer_id, workflow_id, agent_id, model_name,
         tokens_in, tokens_out, cached_tokens_in, cache_write_tokens_in,
         tool_calls, tool_cost_total, latency_ms, "timestamp", reservation_id)
    VALUES
        (coalesce(event_id, (pg_catalog.gen_random_uuid())::text),
         mas_record_usage.customer_id, mas_record_usage.workflow_id,
         mas_record_usage.agent_id, event_model,
         tokens.tokens_in, tokens.tokens_out, tokens.cached_tokens_in,
         tokens.cache_write_tokens_in, mas_record_usage.tool_calls,
         mas_record_usage.tool_cost_total, mas_record_usage.latency_ms,
         event_time, mas_record_usage.reservation_id)
    ON CONFLICT ON CONSTRAINT execution_events_pkey DO NOTHING
    RETURNING e.execution_id, e.customer_id, e.workflow_id, e.agent_id,
              e.model_name, e.resolved_model, tokens.usage_format,
              e.tokens_in, e.tokens_out, e.cached_tokens_in,
              e.cache_write_tokens_in, e.execution_cost_total,
              e.price_status, true
         INTO result;

    IF NOT FOUND THEN
        -- A retry of a stored step: return the stored event unchanged.  The
        -- trigger filled customer_id from the workflow when it was omitted,
        -- and has checked that the workflow has a single owner.
        SELECT e.execution_id, e.customer_id, e.workflow_id, e.agent_id,
               e.model_name, e.resolved_model, tokens.usage_format,
               e.tokens_in, e.tokens_out, e.cached_tokens_in,
               e.cache_write_tokens_in, e.execution_cost_total,
               e.price_status, false
          INTO result
          FROM masecon.execution_events AS e
         WHERE e.execution_id = event_id
           AND e.customer_id = coalesce(mas_record_usage.customer_id,
                                        (SELECT w.customer_id
                                           FROM masecon.workflows AS w
                                          WHERE w.workflow_id = mas_record_usage.workflow_id));
    END IF;
    RETURN result;
END
$$;
COMMENT ON FUNCTION masecon.mas_record_usage(text, text, text, jsonb, text, text, integer, numeric, integer, timestamptz, text) IS
    'records one event from an API usage object or whole response (model NULL: taken from the response); idempotent by execution_id, which defaults to the response id; reservation_id settles a reservation from masecon.mas_reserve';

-- Recording events from OpenTelemetry GenAI spans in OTLP JSON form.
--
-- Attribute names follow the gen_ai attribute registry of the OpenTelemetry
-- semantic conventions (docs/registry/attributes/gen-ai.md of
-- open-telemetry/semantic-conventions, read at commit 02f1d35, the version
-- with gen_ai.provider.name and the cache token attributes), where
-- gen_ai.usage.input_tokens includes the cache reads
-- (gen_ai.usage.cache_read.input_tokens) and cache writes
-- (gen_ai.usage.cache_creation.input_tokens).  The names that older
-- releases and widely used instrumentations emit are read too:
-- gen_ai.usage.prompt_tokens and completion_tokens (deprecated in the
-- registry), gen_ai.usage.cache_read_input_tokens and
-- cache_creation_input_tokens (OpenLLMetry), gen_ai.usage.input_tokens.cached
-- and input_tokens.cache_write (Sentry), gen_ai.usage.cached_tokens
-- (LangWatch), llm.token_count.* and llm.model_name (OpenInference).

-- Flattens an OTLP attribute list ([{"key": ..., "value": {"stringValue":
-- ...}}, ...]) into one JSON object of key and scalar value.
CREATE FUNCTION masecon.otlp_attributes(attributes jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT coalesce(pg_catalog.jsonb_object_agg(
           a.attribute ->> 'key',
           coalesce(a.attribute -> 'value' -> 'stringValue',
                    a.attribute -> 'value' -> 'intValue',
                    a.attribute -> 'value' -> 'doubleValue',
                    a.attribute -> 'value' -> 'boolValue',
                    a.attribute -> 'value')),
       '{}'::jsonb)
  FROM pg_catalog.jsonb_array_elements(
           CASE WHEN pg_catalog.jsonb_typeof(attributes) = 'array' THEN attributes
                ELSE '[]'::jsonb END) AS a(attribute)
 WHERE pg_catalog.jsonb_typeof(a.attribute -> 'key') = 'string'
$$;
COMMENT ON FUNCTION masecon.otlp_attributes(jsonb) IS
    'OTLP JSON attribute list as one object of attribute name and scalar value';

-- Reads the first of the named attributes that is present as a token
-- count; OTLP JSON sends int64 values as decimal strings.  NULL when none
-- is present.
CREATE FUNCTION masecon.otlp_count(attributes jsonb, VARIADIC names text[])
RETURNS bigint
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name text;
    value jsonb;
BEGIN
    FOREACH name IN ARRAY names LOOP
        value := attributes -> name;
        CONTINUE WHEN value IS NULL OR value = 'null'::jsonb;
        IF (pg_catalog.jsonb_typeof(value) = 'number' AND value::text ~ '^[0-9]+(\.0*)?$')
           OR (pg_catalog.jsonb_typeof(value) = 'string' AND value #>> '{}' ~ '^[0-9]{1,18}$') THEN
            RETURN (value #>> '{}')::numeric::bigint;
        END IF;
        RAISE EXCEPTION 'span attribute "%" is not a token count: %', name, value
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Token counts are whole numbers of 0 or more, sent as intValue.';
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION masecon.otlp_count(jsonb, text[]) IS
    'first of the named attributes present, as a token count; NULL when none is present';

-- Returns an OTLP trace or span id as lower-case hex.  OTLP JSON sends
-- hex; some exporters send the protobuf JSON mapping's base64 instead.
CREATE FUNCTION masecon.otlp_id(id text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF id = '' THEN
        RETURN NULL;
    ELSIF id ~ '^[0-9a-fA-F]+$' AND length(id) IN (16, 32) THEN
        RETURN lower(id);
    ELSIF id ~ '^[A-Za-z0-9+/]+=*$' AND length(id) IN (12, 24) THEN
        RETURN pg_catalog.encode(pg_catalog.decode(id, 'base64'), 'hex');
    END IF;
    RAISE EXCEPTION 'invalid OTLP trace or span id: "%"', id
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Trace ids are 32 and span ids 16 hexadecimal digits.';
END
$$;
COMMENT ON FUNCTION masecon.otlp_id(text) IS
    'OTLP trace or span id as lower-case hex, from hex or base64';

-- Converts an OTLP time in nanoseconds since the Unix epoch, to the
-- microsecond.
CREATE FUNCTION masecon.otlp_time(nanoseconds jsonb)
RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    text_value text := nanoseconds #>> '{}';
    microseconds bigint;
BEGIN
    IF text_value IS NULL OR text_value !~ '^[0-9]{1,19}$' THEN
        RAISE EXCEPTION 'invalid OTLP time: %', nanoseconds
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Span times are nanoseconds since the Unix epoch, as startTimeUnixNano and endTimeUnixNano.';
    END IF;
    microseconds := pg_catalog.div(text_value::numeric, 1000)::bigint;
    IF microseconds = 0 THEN
        RETURN NULL;
    END IF;
    RETURN pg_catalog.to_timestamp(pg_catalog.div(microseconds, 1000000)::double precision)
           + (microseconds % 1000000) * interval '1 microsecond';
END
$$;
COMMENT ON FUNCTION masecon.otlp_time(jsonb) IS
    'OTLP nanosecond Unix time as timestamptz, truncated to the microsecond; NULL for 0';

-- Outcome of masecon.mas_record_spans for one span.
CREATE TYPE masecon.recorded_span AS (
    trace_id text,
    span_id text,
    span_name text,
    action text,
    reason text,
    execution_id text,
    customer_id text,
    workflow_id text,
    agent_id text,
    model_name text,
    tokens_in bigint,
    tokens_out bigint,
    cached_tokens_in bigint,
    cache_write_tokens_in bigint,
    execution_cost_total numeric,
    price_status masecon.price_status
);
COMMENT ON TYPE masecon.recorded_span IS
    'result of masecon.mas_record_spans for one span: action is recorded, duplicate (already stored) or skipped, with the reason';


-- Records the event of one span that masecon.mas_record_spans has read,
-- or returns why the span is skipped.  Agent, workflow and customer are
-- the values found on the span, its ancestors or the resource.
CREATE FUNCTION masecon.record_span(
    trace_id text,
    span_id text,
    span_name text,
    attributes jsonb,
    start_time jsonb,
    end_time jsonb,
    model_name text,
    agent_id text,
    workflow_id text,
    customer_id text)
RETURNS masecon.recorded_span
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result masecon.recorded_span;
    operation text := attributes ->> 'gen_ai.operation.name';
    is_llm_call boolean;
    input_tokens bigint;
    output_tokens bigint;
    cache_read_tokens bigint;
    cache_write_tokens bigint;
    started timestamptz;
    ended timestamptz;
    latency integer;
BEGIN
    result.trace_id := record_span.trace_id;
    result.span_id := record_span.span_id;
    result.span_name := record_span.span_name;

    input_tokens := masecon.otlp_count(attributes, 'gen_ai.usage.input_tokens',
                                       'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt',
                                       'llm.usage.prompt_tokens');
    output_tokens := masecon.otlp_count(attributes, 'gen_ai.usage.output_tokens',
                                        'gen_ai.usage.completion_tokens', 'llm.token_count.completion',
                                        'llm.usage.completion_tokens');

    -- One event per LLM call.  Agent, tool and embedding spans are
    -- skipped; an invoke_agent span that sums its calls' usage would
    -- otherwise count it twice.  Spans without gen_ai.operation.name come
    -- from older or other instrumentations.
    IF operation IS NOT NULL THEN
        is_llm_call := operation IN ('chat', 'text_completion', 'generate_content');
    ELSE
        is_llm_call := coalesce(attributes ->> 'openinference.span.kind' = 'LLM', false)
                       OR coalesce(attributes ->> 'llm.request.type' IN ('chat', 'completion'), false)
                       OR (record_span.model_name IS NOT NULL
                           AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL));
    END IF;
    result.action := 'skipped';
    IF NOT is_llm_call THEN
        result.reason := CASE
            WHEN operation IS NOT NULL THEN format('gen_ai.operation.name is %s, not an LLM call', operation)
            ELSE 'not a GenAI LLM call span' END;
        RETURN result;
    END IF;
    IF record_span.model_name IS NULL THEN
        result.reason := 'no gen_ai.response.model or gen_ai.request.model attribute';
        RETURN result;
    END IF;
    IF input_tokens IS NULL AND output_tokens IS NULL THEN
        result.reason := 'no gen_ai.usage.input_tokens or gen_ai.usage.output_tokens attribute';
        RETURN result;
    END IF;

    cache_read_tokens := coalesce(masecon.otlp_count(attributes,
                                      'gen_ai.usage.cache_read.input_tokens',
                                      'gen_ai.usage.cache_read_input_tokens',
                                      'gen_ai.usage.input_tokens.cached',
                                      'gen_ai.usage.cached_tokens',
                                      'llm.token_count.prompt_details.cache_read'), 0);
    cache_write_tokens := coalesce(masecon.otlp_count(attributes,
                                       'gen_ai.usage.cache_creation.input_tokens',
                                       'gen_ai.usage.cache_creation_input_tokens',
                                       'gen_ai.usage.input_tokens.cache_write',
                                       'llm.token_count.prompt_details.cache_write'), 0);
    input_tokens := coalesce(input_tokens, 0);
    -- The conventions count the cache inside input_tokens, but some
    -- instrumentations pass on Anthropic's input_tokens, which excludes
    -- it.  A cache larger than the input shows that case.
    -- NOTE: when such an instrumentation reports a cache smaller than the
    -- fresh input, the cached tokens are taken as part of it.
    IF cache_read_tokens + cache_write_tokens > input_tokens THEN
        input_tokens := input_tokens + cache_read_tokens + cache_write_tokens;
    END IF;

    started := masecon.otlp_time(start_time);
    ended := masecon.otlp_time(end_time);
    IF started IS NOT NULL AND ended >= started THEN
        latency := least(round(extract(epoch FROM ended - started) * 1000), 2147483647)::integer;
    END IF;

    result.execution_id := record_span.trace_id || '-' || record_span.span_id;
    result.customer_id := record_span.customer_id;
    result.workflow_id := record_span.workflow_id;
    result.agent_id := record_span.agent_id;
    result.model_name := record_span.model_name;

    INSERT INTO masecon.execution_events AS e
        (execution_id, customer_id, workflow_id, agent_id, model_name,
         tokens_in, tokens_out, cached_tokens_in, cache_write_tokens_in,
         latency_ms, "timestamp")
    VALUES
        (result.execution_id, result.customer_id, result.workflow_id,
         result.agent_id, result.model_name, input_tokens,
         coalesce(output_tokens, 0), cache_read_tokens, cache_write_tokens,
         latency, coalesce(ended, started, pg_catalog.now()))
    ON CONFLICT ON CONSTRAINT execution_events_pkey DO NOTHING
    RETURNING e.customer_id, e.tokens_in, e.tokens_out, e.cached_tokens_in,
              e.cache_write_tokens_in, e.execution_cost_total, e.price_status
         INTO result.customer_id, result.tokens_in, result.tokens_out,
              result.cached_tokens_in, result.cache_write_tokens_in,
              result.execution_cost_total, result.price_status;
    IF FOUND THEN
        result.action := 'recorded';
        RETURN result;
    END IF;

    -- Sent before: report the stored event.
    SELECT 'duplicate', e.customer_id, e.workflow_id, e.agent_id, e.model_name,
           e.tokens_in, e.tokens_out, e.cached_tokens_in, e.cache_write_tokens_in,
           e.execution_cost_total, e.price_status
      INTO result.action, result.customer_id, result.workflow_id, result.agent_id,
           result.model_name, result.tokens_in, result.tokens_out,
           result.cached_tokens_in, result.cache_write_tokens_in,
           result.execution_cost_total, result.price_status
      FROM masecon.execution_events AS e
     WHERE e.execution_id = result.execution_id
       AND e.customer_id = coalesce(result.customer_id,
                                    (SELECT w.customer_id
                                       FROM masecon.workflows AS w
                                      WHERE w.workflow_id = result.workflow_id));
    RETURN result;
END
$$;
COMMENT ON FUNCTION masecon.record_span(text, text, text, jsonb, jsonb, jsonb, text, text, text, text) IS
    'records the event of one span read by masecon.mas_record_spans, or returns why it is skipped';

CREATE FUNCTION masecon.mas_record_spans(
    traces jsonb,
    customer_id text DEFAULT NULL,
    workflow_id text DEFAULT NULL)
RETURNS SETOF masecon.recorded_span
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
-- The planner takes each jsonb_array_elements for 100 rows, so the span
-- query looks costly enough to JIT-compile, which takes far longer than
-- reading a real export.
SET jit = off
AS $$
DECLARE
    span record;
    message text;
    state text;
    detail text;
    hint text;
BEGIN
    IF pg_catalog.jsonb_typeof(traces -> 'resourceSpans') IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'traces has no "resourceSpans" array'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass an OTLP JSON trace export, the body that an OTLP/HTTP exporter posts to /v1/traces.';
    END IF;

    FOR span IN
        WITH RECURSIVE spans AS (
            SELECT masecon.otlp_id(s.span_json ->> 'traceId') AS trace_id,
                   masecon.otlp_id(s.span_json ->> 'spanId') AS span_id,
                   masecon.otlp_id(s.span_json ->> 'parentSpanId') AS parent_id,
                   s.span_json ->> 'name' AS name,
                   masecon.otlp_attributes(s.span_json -> 'attributes') AS attributes,
                   masecon.otlp_attributes(r.resource_spans -> 'resource' -> 'attributes') AS resource_attributes,
                   s.span_json -> 'startTimeUnixNano' AS start_time,
                   s.span_json -> 'endTimeUnixNano' AS end_time,
                   r.n AS resource_n, c.n AS scope_n, s.n AS span_n
              FROM pg_catalog.jsonb_array_elements(traces -> 'resourceSpans') WITH ORDINALITY AS r(resource_spans, n),
                   pg_catalog.jsonb_array_elements(
                       CASE WHEN pg_catalog.jsonb_typeof(r.resource_spans -> 'scopeSpans') = 'array'
                            THEN r.resource_spans -> 'scopeSpans' ELSE '[]'::jsonb END) WITH ORDINALITY AS c(scope_spans, n),
                   pg_catalog.jsonb_array_elements(
                       CASE WHEN pg_catalog.jsonb_typeof(c.scope_spans -> 'spans') = 'array'
                            THEN c.scope_spans -> 'spans' ELSE '[]'::jsonb END) WITH ORDINALITY AS s(span_json, n)
        ),
        -- Each span with itself and its ancestors in this export; agent,
        -- workflow and customer usually sit on an invoke_agent span above
        -- the LLM call.  The depth limit stops a cycle of parent ids.
        lineage AS (
            SELECT p.trace_id, p.span_id, p.span_id AS ancestor_id, p.parent_id, 0 AS depth
              FROM spans AS p
            UNION ALL
            SELECT l.trace_id, l.span_id, a.span_id, a.parent_id, l.depth + 1
              FROM lineage AS l
              JOIN spans AS a ON a.trace_id = l.trace_id AND a.span_id = l.parent_id
             WHERE l.depth < 64
        ),
        inherited AS (
            SELECT l.trace_id, l.span_id,
                   (pg_catalog.array_agg(coalesce(a.attributes ->> 'gen_ai.agent.id',
                                                  a.attributes ->> 'gen_ai.agent.name')
                                         ORDER BY l.depth)
                        FILTER (WHERE coalesce(a.attributes ->> 'gen_ai.agent.id',
                                               a.attributes ->> 'gen_ai.agent.name') IS NOT NULL))[1] AS agent_id,
                   (pg_catalog.array_agg(coalesce(a.attributes ->> 'masecon.workflow_id',
                                                  a.attributes ->> 'gen_ai.conversation.id')
                                         ORDER BY l.depth)
                        FILTER (WHERE coalesce(a.attributes ->> 'masecon.workflow_id',
                                               a.attributes ->> 'gen_ai.conversation.id') IS NOT NULL))[1] AS workflow_id,
                   (pg_catalog.array_agg(a.attributes ->> 'masecon.customer_id' ORDER BY l.depth)
                        FILTER (WHERE a.attributes ->> 'masecon.customer_id' IS NOT NULL))[1] AS customer_id
              FROM lineage AS l
              JOIN spans AS a ON a.trace_id = l.trace_id AND a.span_id = l.ancestor_id
             GROUP BY l.trace_id, l.span_id
        )
        SELECT s.trace_id, s.span_id, s.name, s.attributes, s.start_time, s.end_time,
               coalesce(s.attributes ->> 'gen_ai.response.model',
                        s.attributes ->> 'gen_ai.request.model',
                        s.attributes ->> 'llm.model_name',
                        s.attributes ->> 'llm.response.model',
                        s.attributes ->> 'llm.request.model') AS model_name,
               coalesce(i.agent_id,
                        s.resource_attributes ->> 'gen_ai.agent.id',
                        s.resource_attributes ->> 'gen_ai.agent.name') AS agent_id,
               coalesce(i.workflow_id,
                        s.resource_attributes ->> 'masecon.workflow_id',
                        s.resource_attributes ->> 'gen_ai.conversation.id') AS workflow_id,
               coalesce(i.customer_id,
                        s.resource_attributes ->> 'masecon.customer_id') AS customer_id
          FROM spans AS s
          LEFT JOIN inherited AS i ON i.trace_id = s.trace_id AND i.span_id = s.span_id
         ORDER BY s.resource_n, s.scope_n, s.span_n
    LOOP
        IF span.trace_id IS NULL OR span.span_id IS NULL THEN
            RAISE EXCEPTION 'span "%" has no traceId or spanId', span.name
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Every OTLP span has a 32-digit traceId and a 16-digit spanId.';
        END IF;
        -- The arguments name customer and workflow for every span.  A span
        -- that names no workflow belongs to the run of its trace, whose id
        -- is the trace id.
        BEGIN
            RETURN NEXT masecon.record_span(
                span.trace_id, span.span_id, span.name, span.attributes,
                span.start_time, span.end_time, span.model_name, span.agent_id,
                coalesce(mas_record_spans.workflow_id, span.workflow_id, span.trace_id),
                coalesce(mas_record_spans.customer_id, span.customer_id));
        EXCEPTION WHEN OTHERS THEN
            -- Name the span, so that the producer can find it in its export.
            GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE,
                                    detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
            detail := concat_ws(' ', nullif(detail, ''),
                                format('The span is %s of trace %s.', span.span_id, span.trace_id));
            IF coalesce(hint, '') = '' THEN
                RAISE EXCEPTION USING ERRCODE = state, MESSAGE = message, DETAIL = detail;
            END IF;
            RAISE EXCEPTION USING ERRCODE = state, MESSAGE = message, DETAIL = detail, HINT = hint;
        END;
    END LOOP;
END
$$;
COMMENT ON FUNCTION masecon.mas_record_spans(jsonb, text, text) IS
    'records one event per GenAI LLM call span of an OTLP JSON trace export; execution_id is traceId-spanId, so a resent span is not counted twice';

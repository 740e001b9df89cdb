-- masecon.mas_record_spans: one priced event per GenAI LLM call span of an
-- OTLP JSON trace export, idempotent by trace and span id.
\set SHOW_CONTEXT never
\pset null '(null)'

-- One agent run as an OpenTelemetry SDK exports it.  An invoke_agent span
-- names the agent and the conversation.  Below it are two chat calls, a
-- tool call with an HTTP span of another library, an embeddings call, and
-- a chat call that failed before it reported usage.
\set trace1 '{"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "support-bot"}}, {"key": "masecon.customer_id", "value": {"stringValue": "otel-acme"}}]}, "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.openai_v2", "version": "2.1b0"}, "spans": [{"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "a1a1a1a1a1a1a1a1", "name": "invoke_agent planner", "kind": 1, "startTimeUnixNano": "1772445600000000000", "endTimeUnixNano": "1772445609000000000", "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "invoke_agent"}}, {"key": "gen_ai.agent.name", "value": {"stringValue": "planner"}}, {"key": "gen_ai.conversation.id", "value": {"stringValue": "otel-run-1"}}, {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "4465"}}, {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "323"}}], "status": {}}, {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "b2b2b2b2b2b2b2b2", "parentSpanId": "a1a1a1a1a1a1a1a1", "name": "chat gpt-4o", "kind": 3, "startTimeUnixNano": "1772445601000000000", "endTimeUnixNano": "1772445602345678901", "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}, {"key": "gen_ai.provider.name", "value": {"stringValue": "openai"}}, {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}}, {"key": "gen_ai.response.model", "value": {"stringValue": "gpt-4o-2024-08-06"}}, {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "2006"}}, {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "300"}}, {"key": "gen_ai.usage.cache_read.input_tokens", "value": {"intValue": "1920"}}, {"key": "gen_ai.response.finish_reasons", "value": {"arrayValue": {"values": [{"stringValue": "stop"}]}}}], "status": {}}, {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "c3c3c3c3c3c3c3c3", "parentSpanId": "a1a1a1a1a1a1a1a1", "name": "execute_tool search", "kind": 1, "startTimeUnixNano": "1772445602400000000", "endTimeUnixNano": "1772445603000000000", "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}}, {"key": "gen_ai.tool.name", "value": {"stringValue": "search"}}], "status": {}}, {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "d4d4d4d4d4d4d4d4", "parentSpanId": "c3c3c3c3c3c3c3c3", "name": "GET", "kind": 3, "startTimeUnixNano": "1772445602500000000", "endTimeUnixNano": "1772445602900000000", "attributes": [{"key": "http.request.method", "value": {"stringValue": "GET"}}, {"key": "http.response.status_code", "value": {"intValue": "200"}}], "status": {}}, {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "e5e5e5e5e5e5e5e5", "parentSpanId": "a1a1a1a1a1a1a1a1", "name": "embeddings text-embedding-3-small", "kind": 3, "startTimeUnixNano": "1772445603000000000", "endTimeUnixNano": "1772445603200000000", "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "embeddings"}}, {"key": "gen_ai.request.model", "value": {"stringValue": "text-embedding-3-small"}}, {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "512"}}], "status": {}}, {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "f6f6f6f6f6f6f6f6", "parentSpanId": "a1a1a1a1a1a1a1a1", "name": "chat claude-3-5-sonnet-20241022", "kind": 3, "startTimeUnixNano": "1772445604000000000", "endTimeUnixNano": "1772445608000000000", "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}, {"key": "gen_ai.system", "value": {"stringValue": "anthropic"}}, {"key": "gen_ai.request.model", "value": {"stringValue": "claude-3-5-sonnet-20241022"}}, {"key": "gen_ai.agent.id", "value": {"stringValue": "writer"}}, {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "4"}}, {"key": "gen_ai.usage.cache_read_input_tokens", "value": {"intValue": "2455"}}, {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "23"}}], "status": {}}, {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "0707070707070707", "parentSpanId": "a1a1a1a1a1a1a1a1", "name": "chat gpt-4o", "kind": 3, "startTimeUnixNano": "1772445608100000000", "endTimeUnixNano": "1772445608900000000", "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}, {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}}, {"key": "error.type", "value": {"stringValue": "RateLimitError"}}], "status": {"code": 2, "message": "rate limited"}}]}]}]}'

-- The gpt-4o call costs 86 * 2.50 + 1920 * 1.25 + 300 * 10.00 = 5615 per
-- 1M = 0.005615.  The claude-3-5-sonnet call, whose instrumentation
-- reported input_tokens without the cache, costs 4 * 3.00 + 2455 * 0.30 +
-- 23 * 15.00 = 1093.5 per 1M = 0.0010935.  Agent and workflow come from the invoke_agent span
-- unless the span names its own, the customer from the resource.
SELECT span_id, span_name, action, reason, execution_id, customer_id,
       workflow_id, agent_id, model_name, tokens_in, cached_tokens_in,
       tokens_out, execution_cost_total, price_status
  FROM masecon.mas_record_spans(:'trace1');

-- The span's end time is the event's timestamp, to the microsecond, and
-- its duration the latency.
SELECT execution_id, "timestamp", latency_ms
  FROM masecon.execution_events
 WHERE customer_id = 'otel-acme'
 ORDER BY "timestamp";

-- The same export sent again, as an exporter retry does, stores nothing.
SELECT span_id, action, execution_cost_total
  FROM masecon.mas_record_spans(:'trace1')
 WHERE action <> 'skipped';
SELECT count(*) AS events, sum(execution_cost_total) AS cost
  FROM masecon.execution_events
 WHERE customer_id = 'otel-acme';

-- Names that older releases and other instrumentations emit, ids in
-- base64, intValue as a JSON number, and no workflow attribute (the trace
-- id is the workflow).  The customer comes from the argument.
-- gen_ai.usage.prompt_tokens 12000 and completion_tokens 950 on
-- gpt-4o-mini: 12000 * 0.15 + 950 * 0.60 = 2370 per 1M = 0.00237.
-- OpenInference: 5200 prompt tokens of which 4000 cache writes, 410
-- completion tokens on claude-3-opus: 1200 * 15.00 + 4000 * 18.75 +
-- 410 * 75.00 = 123750 per 1M = 0.12375.
-- Sentry: 3000 input tokens of which 2000 cached and 500 cache writes, 100
-- output tokens on claude-3-5-sonnet: 500 * 3.00 + 2000 * 0.30 + 500 *
-- 3.75 + 100 * 15.00 = 5475 per 1M = 0.005475.
-- LangWatch: 1000 input tokens of which 500 cached, 100 output tokens on
-- gpt-4o-mini: 500 * 0.15 + 500 * 0.075 + 100 * 0.60 = 172.5 per 1M =
-- 0.0001725.
SELECT trace_id, span_id, action, workflow_id, agent_id, model_name, tokens_in,
       cached_tokens_in, cache_write_tokens_in, tokens_out, execution_cost_total
  FROM masecon.mas_record_spans($json$
{"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [
  {"traceId": "W47/95gDgQPSabYzgT/GDA==", "spanId": "7u4ZvsPBsXQ=", "name": "openai.chat",
   "startTimeUnixNano": "1772449200000000000", "endTimeUnixNano": "1772449201000000000",
   "attributes": [
     {"key": "llm.request.type", "value": {"stringValue": "chat"}},
     {"key": "gen_ai.system", "value": {"stringValue": "openai"}},
     {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
     {"key": "gen_ai.usage.prompt_tokens", "value": {"intValue": 12000}},
     {"key": "gen_ai.usage.completion_tokens", "value": {"intValue": 950}}]},
  {"traceId": "5b8efff798038103d269b633813fc60d", "spanId": "1111111111111111", "name": "ChatAnthropic",
   "startTimeUnixNano": "1772449300000000000", "endTimeUnixNano": "1772449302000000000",
   "attributes": [
     {"key": "openinference.span.kind", "value": {"stringValue": "LLM"}},
     {"key": "llm.model_name", "value": {"stringValue": "claude-3-opus"}},
     {"key": "llm.token_count.prompt", "value": {"intValue": "5200"}},
     {"key": "llm.token_count.prompt_details.cache_write", "value": {"intValue": "4000"}},
     {"key": "llm.token_count.completion", "value": {"intValue": "410"}}]},
  {"traceId": "5b8efff798038103d269b633813fc60e", "spanId": "2222222222222222", "name": "chat claude-3-5-sonnet-20241022",
   "startTimeUnixNano": "1772449400000000000", "endTimeUnixNano": "1772449401000000000",
   "attributes": [
     {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
     {"key": "gen_ai.request.model", "value": {"stringValue": "claude-3-5-sonnet-20241022"}},
     {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "3000"}},
     {"key": "gen_ai.usage.input_tokens.cached", "value": {"intValue": "2000"}},
     {"key": "gen_ai.usage.input_tokens.cache_write", "value": {"intValue": "500"}},
     {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "100"}}]},
  {"traceId": "5b8efff798038103d269b633813fc60f", "spanId": "3333333333333333", "name": "chat gpt-4o-mini",
   "startTimeUnixNano": "1772449500000000000", "endTimeUnixNano": "1772449501000000000",
   "attributes": [
     {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
     {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
     {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "1000"}},
     {"key": "gen_ai.usage.cached_tokens", "value": {"intValue": "500"}},
     {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "100"}}]}
]}]}]}
$json$, customer_id => 'otel-beta');

-- A workflow_id argument names the workflow of every span.
SELECT span_id, action, customer_id, workflow_id, execution_cost_total
  FROM masecon.mas_record_spans($json$
{"resourceSpans": [{"scopeSpans": [{"spans": [
  {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331", "name": "chat gpt-4o",
   "endTimeUnixNano": "1772452800000000000",
   "attributes": [
     {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
     {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
     {"key": "gen_ai.conversation.id", "value": {"stringValue": "conv_5j66UpCpwteGg4YSxUnt7lPY"}},
     {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "1000"}},
     {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "100"}}]}
]}]}]}
$json$, customer_id => 'otel-beta', workflow_id => 'otel-run-2');

-- An LLM span without a model, and one without spans at all, record nothing.
SELECT span_id, action, reason
  FROM masecon.mas_record_spans($json$
{"resourceSpans": [{"scopeSpans": [{"spans": [
  {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "c7ad6b7169203331", "name": "chat",
   "attributes": [
     {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
     {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "10"}}]}
]}]}, {"scopeSpans": []}]}
$json$, customer_id => 'otel-beta');

-- Exports that cannot be read are rejected, naming the span.
SELECT * FROM masecon.mas_record_spans('{"spans": []}');
SELECT * FROM masecon.mas_record_spans('{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "xyz", "spanId": "b7ad6b7169203331"}]}]}]}');
SELECT * FROM masecon.mas_record_spans('{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "chat gpt-4o", "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}]}]}]}]}');
SELECT * FROM masecon.mas_record_spans($json$
{"resourceSpans": [{"scopeSpans": [{"spans": [
  {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "a7ad6b7169203331", "name": "chat gpt-4o",
   "attributes": [
     {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
     {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
     {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "30"}}]},
  {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "d7ad6b7169203331", "name": "chat gpt-4o",
   "attributes": [
     {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
     {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
     {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "-3"}}]}
]}]}]}
$json$, customer_id => 'otel-beta');
SELECT * FROM masecon.mas_record_spans($json$
{"resourceSpans": [{"scopeSpans": [{"spans": [
  {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "e7ad6b7169203331", "name": "chat gpt-4o",
   "endTimeUnixNano": "yesterday",
   "attributes": [
     {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
     {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
     {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "3"}}]}
]}]}]}
$json$, customer_id => 'otel-beta');
-- No customer anywhere and an unregistered workflow: the trigger's error,
-- with the span named.
SELECT * FROM masecon.mas_record_spans($json$
{"resourceSpans": [{"scopeSpans": [{"spans": [
  {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "f7ad6b7169203331", "name": "chat gpt-4o",
   "attributes": [
     {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
     {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
     {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "3"}}]}
]}]}]}
$json$);

-- One bad span rejects the whole export: nothing of it was stored.
SELECT customer_id, count(*) AS events, sum(execution_cost_total) AS cost
  FROM masecon.execution_events
 WHERE customer_id IN ('otel-acme', 'otel-beta')
 GROUP BY customer_id
 ORDER BY customer_id;

DELETE FROM masecon.execution_events WHERE customer_id IN ('otel-acme', 'otel-beta');
DELETE FROM masecon.workflows WHERE customer_id IN ('otel-acme', 'otel-beta');

-- Producers that send what their LLM API or their tracing returned, as is.
\echo
\echo '== API responses recorded as the vendors return them (examples/responses/)'
\set chat `cat examples/responses/openai_chat_completion.json`
\set responses `cat examples/responses/openai_responses.json`
\set anthropic `cat examples/responses/anthropic_messages.json`
SELECT r.execution_id, r.model_name, r.usage_format, r.tokens_in, r.cached_tokens_in AS cached,
       r.tokens_out, r.execution_cost_total AS cost, r.inserted
  FROM (VALUES ('planner', :'chat'::jsonb),
               ('researcher', :'responses'::jsonb),
               ('writer', :'anthropic'::jsonb)) AS s(agent, response),
       LATERAL masecon.mas_record_usage('support-run-2', s.agent, NULL, s.response,
                                        customer_id => 'acme') AS r;

\echo
\echo '== The same response sent again is stored once'
SELECT execution_id, execution_cost_total AS cost, inserted
  FROM masecon.mas_record_usage('support-run-2', 'planner', NULL, :'chat', customer_id => 'acme');

\echo
\echo '== OpenTelemetry GenAI spans (OTLP JSON): one event per LLM call, agent taken from the invoke_agent span'
SELECT span_name, action, coalesce(reason, '') AS reason, agent_id, model_name,
       tokens_in, tokens_out, execution_cost_total AS cost
  FROM masecon.mas_record_spans($json$
{"resourceSpans": [{"resource": {"attributes": [
   {"key": "service.name", "value": {"stringValue": "support-bot"}}]},
  "scopeSpans": [{"spans": [
   {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "00f067aa0ba902b7", "name": "invoke_agent triage",
    "startTimeUnixNano": "1772445600000000000", "endTimeUnixNano": "1772445604000000000",
    "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "invoke_agent"}},
                   {"key": "gen_ai.agent.name", "value": {"stringValue": "triage"}}]},
   {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "53995c3f42cd8ad8", "parentSpanId": "00f067aa0ba902b7",
    "name": "chat gpt-4o-mini",
    "startTimeUnixNano": "1772445601000000000", "endTimeUnixNano": "1772445602200000000",
    "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                   {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o-mini"}},
                   {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "12000"}},
                   {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "950"}}]},
   {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "8d2f1c9a7e6b5d4c", "parentSpanId": "00f067aa0ba902b7",
    "name": "execute_tool lookup_order",
    "startTimeUnixNano": "1772445602300000000", "endTimeUnixNano": "1772445603000000000",
    "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}}]}
  ]}]}]}
$json$, customer_id => 'acme', workflow_id => 'support-run-2');

\echo
\echo '== A LiteLLM price list (test/data/, 1,701 entries) imported into the catalog, then rolled back'
\set prices `cat test/data/litellm_model_prices.json`
BEGIN;
CREATE TEMP TABLE demo_import ON COMMIT DROP AS
SELECT * FROM masecon.mas_import_prices(:'prices', '-infinity');
SELECT action, reason, count(*) AS models
  FROM demo_import
 GROUP BY action, reason
 ORDER BY action, count(*) DESC;
SELECT model_name, input_usd_per_1m, output_usd_per_1m, cached_input_usd_per_1m, cache_write_usd_per_1m
  FROM demo_import
 WHERE model_name IN ('gpt-4.1', 'o3-mini', 'claude-sonnet-4-20250514', 'gemini/gemini-2.5-pro')
 ORDER BY model_name;
ROLLBACK;

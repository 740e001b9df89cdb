-- masecon.mas_record_usage and masecon.mas_usage_tokens: events recorded
-- from the usage objects and whole responses of OpenAI Chat Completions,
-- OpenAI Responses and Anthropic Messages, priced exactly.
\set SHOW_CONTEXT never
\pset null '(null)'

-- OpenAI Chat Completions, whole response, model taken from it: 2006
-- prompt tokens of which 1920 cached, 300 completion tokens on gpt-4o
-- (2.50 input, 1.25 cached, 10.00 output per 1M):
-- 86 * 2.50 + 1920 * 1.25 + 300 * 10.00 = 5615 per 1M = 0.005615.
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', NULL, $json$
{
  "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  "object": "chat.completion",
  "created": 1741570283,
  "model": "gpt-4o-2024-08-06",
  "choices": [
    {
      "index": 0,
      "message": {"role": "assistant", "content": "Here is the plan.", "refusal": null, "annotations": []},
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 2006,
    "completion_tokens": 300,
    "total_tokens": 2306,
    "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                  "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
  },
  "service_tier": "default",
  "system_fingerprint": "fp_fc9f1d7035"
}
$json$, customer_id => 'usage-acme');

-- The same response again, as a retry would send it, is not stored twice;
-- customer_id omitted is filled from the workflow.
SELECT execution_id, customer_id, execution_cost_total, inserted
  FROM masecon.mas_record_usage('usage-run-1', 'planner', NULL, $json$
{"id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "object": "chat.completion",
 "model": "gpt-4o-2024-08-06",
 "usage": {"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
           "prompt_tokens_details": {"cached_tokens": 1920}}}
$json$);
SELECT count(*) AS stored
  FROM masecon.execution_events
 WHERE execution_id = 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG';

-- OpenAI Responses API, whole response: 3200 input tokens of which 2048
-- cached, 410 output tokens on gpt-4o-mini (0.15, 0.075, 0.60):
-- 1152 * 0.15 + 2048 * 0.075 + 410 * 0.60 = 572.4 per 1M = 0.0005724.
SELECT execution_id, model_name, resolved_model, usage_format, tokens_in,
       cached_tokens_in, tokens_out, execution_cost_total, price_status
  FROM masecon.mas_record_usage('usage-run-1', 'researcher', NULL, $json$
{
  "id": "resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41",
  "object": "response",
  "created_at": 1741476777,
  "status": "completed",
  "model": "gpt-4o-mini-2024-07-18",
  "output": [
    {"type": "message", "id": "msg_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41",
     "status": "completed", "role": "assistant",
     "content": [{"type": "output_text", "text": "Three sources agree.", "annotations": []}]}
  ],
  "usage": {
    "input_tokens": 3200,
    "input_tokens_details": {"cached_tokens": 2048},
    "output_tokens": 410,
    "output_tokens_details": {"reasoning_tokens": 0},
    "total_tokens": 3610
  }
}
$json$, customer_id => 'usage-acme');

-- Anthropic Messages, whole response: 4 fresh input tokens, 2455
-- cache-read tokens, 23 output tokens on claude-3-5-sonnet (3.00, 0.30,
-- 15.00): 4 * 3.00 + 2455 * 0.30 + 23 * 15.00 = 1093.5 per 1M = 0.0010935.
SELECT execution_id, model_name, usage_format, tokens_in, cached_tokens_in,
       cache_write_tokens_in, tokens_out, execution_cost_total
  FROM masecon.mas_record_usage('usage-run-1', 'writer', NULL, $json$
{
  "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
  "type": "message",
  "role": "assistant",
  "model": "claude-3-5-sonnet-20241022",
  "content": [{"type": "text", "text": "Draft attached."}],
  "stop_reason": "end_turn",
  "stop_sequence": null,
  "usage": {
    "input_tokens": 4,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 2455,
    "output_tokens": 23
  }
}
$json$, customer_id => 'usage-acme');

-- Anthropic usage object alone, with a cache write, on the alias
-- claude-3-opus (15.00, cache write 18.75, 75.00): 1200 * 15.00 +
-- 4000 * 18.75 + 410 * 75.00 = 123750 per 1M = 0.12375; with one tool
-- call of 0.003 the step costs 0.12675.
SELECT execution_id, resolved_model, tokens_in, cache_write_tokens_in,
       execution_cost_total, inserted
  FROM masecon.mas_record_usage('usage-run-1', 'reviewer', 'claude-3-opus',
       '{"input_tokens": 1200, "cache_creation_input_tokens": 4000,
         "cache_read_input_tokens": 0, "output_tokens": 410}',
       customer_id => 'usage-acme', execution_id => 'usage-step-4',
       tool_calls => 1, tool_cost_total => 0.003, latency_ms => 2150,
       "timestamp" => '2026-03-02 10:15:00+00');
SELECT tool_calls, tool_cost_total, latency_ms, "timestamp"
  FROM masecon.execution_events
 WHERE customer_id = 'usage-acme' AND execution_id = 'usage-step-4';

-- The current Anthropic shape, with the cache_creation breakdown and
-- server tool counts, on claude-3-haiku (0.25, 0.03 cached, 0.30 cache
-- write, 1.25): 10 * 0.25 + 50000 * 0.03 + 2000 * 0.30 + 500 * 1.25 =
-- 2727.5 per 1M = 0.0027275.
SELECT usage_format, tokens_in, cached_tokens_in, cache_write_tokens_in,
       tokens_out, execution_cost_total
  FROM masecon.mas_record_usage('usage-run-1', 'summarizer', 'claude-3-haiku-20240307',
       '{"input_tokens": 10, "cache_creation_input_tokens": 2000,
         "cache_read_input_tokens": 50000,
         "cache_creation": {"ephemeral_5m_input_tokens": 2000, "ephemeral_1h_input_tokens": 0},
         "output_tokens": 500, "server_tool_use": {"web_search_requests": 0},
         "service_tier": "standard"}',
       customer_id => 'usage-acme');

-- Reasoning tokens are part of completion_tokens, so they are not added.
SELECT * FROM masecon.mas_usage_tokens(
    '{"prompt_tokens": 1100, "completion_tokens": 2300, "total_tokens": 3400,
      "prompt_tokens_details": {"cached_tokens": 0},
      "completion_tokens_details": {"reasoning_tokens": 2048}}');
-- Anthropic cache counts sent as null count as 0.
SELECT * FROM masecon.mas_usage_tokens(
    '{"input_tokens": 25, "cache_creation_input_tokens": null,
      "cache_read_input_tokens": null, "output_tokens": 7}');
-- input_tokens and output_tokens alone read the same in both vendors'
-- shapes.
SELECT * FROM masecon.mas_usage_tokens('{"input_tokens": 25, "output_tokens": 7}');

-- A model missing from the catalog is still recorded, at the tool cost.
SELECT model_name, resolved_model, execution_cost_total, price_status
  FROM masecon.mas_record_usage('usage-run-1', 'router', 'some-new-model',
       '{"prompt_tokens": 800, "completion_tokens": 20}',
       customer_id => 'usage-acme', tool_cost_total => 0.001);

-- The workflow's total is the sum of the exact step costs:
-- 0.005615 + 0.0005724 + 0.0010935 + 0.12675 + 0.0027275 + 0.001.
SELECT count(*) AS events, sum(execution_cost_total) AS cost
  FROM masecon.execution_events
 WHERE customer_id = 'usage-acme' AND workflow_id = 'usage-run-1';

-- Objects that cannot be read are rejected with what was expected.
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', 'gpt-4o',
       '{"tokens": 100, "cost": 0.01}', customer_id => 'usage-acme');
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', 'gpt-4o',
       '{}', customer_id => 'usage-acme');
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', 'gpt-4o',
       '[2006, 300]', customer_id => 'usage-acme');
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', 'gpt-4o',
       '{"prompt_tokens": "2006", "completion_tokens": 300}', customer_id => 'usage-acme');
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', 'gpt-4o',
       '{"prompt_tokens": -5, "completion_tokens": 300}', customer_id => 'usage-acme');
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', 'gpt-4o',
       '{"prompt_tokens": 20.5, "completion_tokens": 300}', customer_id => 'usage-acme');
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', 'gpt-4o',
       '{"input_tokens": 10, "cache_read_input_tokens": 5}', customer_id => 'usage-acme');
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', 'gpt-4o',
       NULL, customer_id => 'usage-acme');
-- A bare usage object names no model.
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', NULL,
       '{"prompt_tokens": 10, "completion_tokens": 5}', customer_id => 'usage-acme');
-- A streamed chunk without usage.
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', NULL,
       '{"id": "chatcmpl-9", "object": "chat.completion.chunk", "model": "gpt-4o", "usage": null}',
       customer_id => 'usage-acme');
-- The pricing trigger's own checks still apply.
SELECT * FROM masecon.mas_record_usage('usage-run-1', 'planner', 'gpt-4o',
       '{"prompt_tokens": 100, "completion_tokens": 5, "prompt_tokens_details": {"cached_tokens": 200}}',
       customer_id => 'usage-acme');
SELECT * FROM masecon.mas_record_usage('usage-unknown-run', 'planner', 'gpt-4o',
       '{"prompt_tokens": 100, "completion_tokens": 5}');

-- Nothing was stored by the rejected calls.
SELECT count(*) AS events
  FROM masecon.execution_events
 WHERE customer_id = 'usage-acme';

DELETE FROM masecon.execution_events WHERE customer_id = 'usage-acme';
DELETE FROM masecon.workflows WHERE customer_id = 'usage-acme';

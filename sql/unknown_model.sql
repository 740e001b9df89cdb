-- Events whose model has no price: stored and listed, or rejected when
-- masecon.unknown_model is reject; repriced once the catalog is fixed.

INSERT INTO masecon.workflows (customer_id, workflow_id) VALUES ('unknown', 'unknown-wf');

-- Bring every stored event up to date first, so that the counts below are
-- this file's own.
SELECT masecon.mas_reprice() >= 0 AS repriced_earlier_events;

SHOW masecon.unknown_model;
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out, tool_cost_total, "timestamp")
VALUES ('u-1', 'unknown-wf', 'acme-llm-7b', 1000, 100, 0.01, '2026-05-01 10:00+00'),
       ('u-2', 'unknown-wf', 'acme-llm-7b', 2000, 200, 0,    '2026-05-02 10:00+00'),
       ('u-3', 'unknown-wf', 'acme-llm-7b', 3000, 300, 0,    '2026-05-03 10:00+00');
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out, execution_cost_total, "timestamp")
VALUES ('u-4', 'unknown-wf', 'acme-llm-7b', 1000, 100, 0.004, '2026-05-04 10:00+00');
SELECT execution_id, execution_cost_total, reported_cost, price_status, resolved_model
  FROM masecon.execution_events WHERE customer_id = 'unknown' ORDER BY execution_id;
SELECT * FROM masecon.unpriced_models WHERE model_name = 'acme-llm-7b';

-- reject raises an error naming the model and stores nothing.
SET masecon.unknown_model = 'reject';
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('u-5', 'unknown-wf', 'acme-llm-7b', 1, 1);
-- A known model whose rows all start later is rejected too.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m, valid_from)
VALUES ('future-model', 'example', 1, 1, '2030-01-01 00:00+00');
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('u-6', 'unknown-wf', 'future-model', 1, 1, '2026-05-01 00:00+00');
-- Known models still go in.
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('u-7', 'unknown-wf', 'gpt-4o', 1000, 0) RETURNING execution_cost_total;
SET masecon.unknown_model = 'sometimes';
RESET masecon.unknown_model;
SELECT count(*) AS rejected_rows FROM masecon.execution_events WHERE execution_id IN ('u-5', 'u-6');

-- Fix the catalog from 2026-05-02 on, then reprice.  u-2, u-3 and u-4 are
-- priced, and u-4 keeps the producer's figure in reported_cost.  u-1 is
-- older than the new row and stays unpriced.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m, valid_from)
VALUES ('acme-llm-7b', 'acme', 0.20, 0.40, '2026-05-02 00:00+00');
SELECT masecon.mas_reprice('2026-05-02 00:00+00') AS repriced;
SELECT execution_id, execution_cost_total, reported_cost, price_status, resolved_model
  FROM masecon.execution_events WHERE customer_id = 'unknown' ORDER BY execution_id;
SELECT masecon.mas_reprice() AS repriced_all;
SELECT execution_id, execution_cost_total, price_status
  FROM masecon.execution_events WHERE customer_id = 'unknown' ORDER BY execution_id;
SELECT * FROM masecon.unpriced_models WHERE model_name = 'acme-llm-7b';

-- Removing the price makes them unpriced again (or reported) on the next reprice.
DELETE FROM masecon.model_prices WHERE model_name = 'acme-llm-7b';
SELECT masecon.mas_reprice() AS repriced_after_delete;
SELECT execution_id, execution_cost_total, price_status
  FROM masecon.execution_events WHERE customer_id = 'unknown' ORDER BY execution_id;
DELETE FROM masecon.model_prices WHERE model_name = 'future-model';

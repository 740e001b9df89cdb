-- masecon.mas_verify(): recomputes every derived figure from the events
-- and returns one row per difference.  Other tests share this database,
-- so only the rows of customer 'verify' are shown.

CREATE VIEW verify_report AS
SELECT what, key, stored, recomputed
  FROM masecon.mas_verify()
 WHERE key LIKE '(verify,%';

INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('verify-model', 'openai', 1.00, 4.00);

-- Priced, unpriced and reported events: all consistent.
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out, tool_cost_total, execution_cost_total, "timestamp")
VALUES ('v-1', 'verify', 'verify-wf', 'verify-model', 1000, 100, 0, NULL, '2031-01-01 10:00+00'),
       ('v-2', 'verify', 'verify-wf', 'verify-late', 1000, 100, 0.01, NULL, '2031-01-01 10:01+00'),
       ('v-3', 'verify', 'verify-wf', 'verify-reported', 1000, 100, 0, 0.25, '2031-01-01 10:02+00');
SELECT execution_id, execution_cost_total, price_status, resolved_model
  FROM masecon.execution_events WHERE customer_id = 'verify' ORDER BY execution_id;
SELECT * FROM verify_report ORDER BY what, key;

-- A catalog change after the insert makes the stored prices stale: v-2's
-- model now has a price (1000 x 2.00 + 100 x 8.00 = 2800 per 1M, plus the
-- tool cost), and v-1's price was edited (1000 x 1.50 + 100 x 4.00).
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m)
VALUES ('verify-late', 'openai', 2.00, 8.00);
UPDATE masecon.model_prices SET input_usd_per_1m = 1.50 WHERE model_name = 'verify-model';
SELECT * FROM verify_report ORDER BY what, key;

-- Repricing brings the events up to date.
SELECT masecon.mas_reprice(since => '2031-01-01 00:00+00') AS repriced;
SELECT * FROM verify_report ORDER BY what, key;

-- Figures written past the trigger are reported as mismatches, not as
-- stale prices, because the catalog has not changed since: a cost edited
-- in place, and an event whose workflow was never registered.
ALTER TABLE masecon.execution_events DISABLE TRIGGER execution_events_price;
UPDATE masecon.execution_events SET execution_cost_total = 1 WHERE execution_id = 'v-1' AND customer_id = 'verify';
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out, execution_cost_total, price_status, resolved_model, "timestamp")
VALUES ('v-4', 'verify', 'verify-unregistered', 'verify-model', 1000, 0, 0.0015, 'priced', 'verify-model', '2031-01-01 10:03+00');
ALTER TABLE masecon.execution_events ENABLE TRIGGER execution_events_price;
SELECT * FROM verify_report ORDER BY what, key;

DELETE FROM masecon.execution_events WHERE customer_id = 'verify';
DELETE FROM masecon.workflows WHERE customer_id = 'verify';
DELETE FROM masecon.model_prices WHERE model_name IN ('verify-model', 'verify-late');
DROP VIEW verify_report;

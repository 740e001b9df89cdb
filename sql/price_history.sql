-- Prices by effective date, and catalog edits seen by the very next insert
-- in every session, rolled-back edits forgotten.

INSERT INTO masecon.workflows (customer_id, workflow_id) VALUES ('history', 'history-wf');

-- A model whose price changed twice.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m, valid_from)
VALUES ('history-model', 'example', 1.00, 2.00, '2025-01-01 00:00+00'),
       ('history-model', 'example', 3.00, 4.00, '2025-06-01 00:00+00'),
       ('history-model', 'example', 5.00, 6.00, '2025-09-01 00:00+00');

-- Each event takes the row valid at its timestamp; an instant exactly at a
-- valid_from takes the new row, and an event before the first row is unpriced.
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('h-before', 'history-wf', 'history-model', 1000000, 1000000, '2024-12-31 23:59:59+00'),
       ('h-first',  'history-wf', 'history-model', 1000000, 1000000, '2025-01-01 00:00:00+00'),
       ('h-middle', 'history-wf', 'history-model', 1000000, 1000000, '2025-05-31 23:59:59.999999+00'),
       ('h-second', 'history-wf', 'history-model', 1000000, 1000000, '2025-06-01 00:00:00+00'),
       ('h-third',  'history-wf', 'history-model', 1000000, 1000000, '2026-02-01 12:00:00+00');
SELECT execution_id, execution_cost_total, price_status
  FROM masecon.execution_events WHERE workflow_id = 'history-wf' ORDER BY "timestamp";

-- A new row from a later date changes the price from then on; stored events
-- keep theirs until mas_reprice() is asked, which changes only later events.
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m, valid_from)
VALUES ('history-model', 'example', 7.00, 8.00, '2026-01-01 00:00+00');
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('h-fourth', 'history-wf', 'history-model', 1000000, 1000000, '2026-02-02 12:00:00+00');
SELECT execution_id, execution_cost_total
  FROM masecon.execution_events WHERE execution_id IN ('h-third', 'h-fourth') ORDER BY execution_id;
SELECT masecon.mas_reprice() AS repriced;
SELECT execution_id, execution_cost_total
  FROM masecon.execution_events WHERE workflow_id = 'history-wf' ORDER BY "timestamp";
SELECT masecon.mas_reprice() AS repriced_again;

-- The changing session sees an edit on its next insert, inside one transaction too.
BEGIN;
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('h-now-1', 'history-wf', 'history-model', 1000000, 0) RETURNING execution_cost_total;
UPDATE masecon.model_prices SET input_usd_per_1m = 9.00
 WHERE model_name = 'history-model' AND valid_from = '2026-01-01 00:00+00';
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('h-now-2', 'history-wf', 'history-model', 1000000, 0) RETURNING execution_cost_total;
ROLLBACK;

-- The rolled-back edit is forgotten.
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('h-now-3', 'history-wf', 'history-model', 1000000, 0) RETURNING execution_cost_total;

-- A rolled-back savepoint is forgotten too.
BEGIN;
SAVEPOINT edit;
UPDATE masecon.model_prices SET input_usd_per_1m = 11.00
 WHERE model_name = 'history-model' AND valid_from = '2026-01-01 00:00+00';
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('h-now-4', 'history-wf', 'history-model', 1000000, 0) RETURNING execution_cost_total;
ROLLBACK TO SAVEPOINT edit;
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('h-now-5', 'history-wf', 'history-model', 1000000, 0) RETURNING execution_cost_total;
COMMIT;

-- Another session sees a committed edit on its very next insert, even inside
-- a transaction it opened before the edit.
CREATE EXTENSION dblink;
SELECT dblink_connect('other',
       format('dbname=%s port=%s host=%s', current_database(), current_setting('port'),
              split_part(current_setting('unix_socket_directories'), ',', 1)));
SELECT * FROM dblink('other', $$SELECT execution_cost_total FROM masecon.event_price('history-model', now(), 1000000, 0)$$)
    AS t(cost numeric);
SELECT dblink_exec('other', 'BEGIN');
SELECT * FROM dblink('other', $$INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
                               VALUES ('h-other-1', 'history-wf', 'history-model', 1000000, 0) RETURNING execution_cost_total$$)
    AS t(cost numeric);
UPDATE masecon.model_prices SET input_usd_per_1m = 13.00
 WHERE model_name = 'history-model' AND valid_from = '2026-01-01 00:00+00';
SELECT * FROM dblink('other', $$INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
                               VALUES ('h-other-2', 'history-wf', 'history-model', 1000000, 0) RETURNING execution_cost_total$$)
    AS t(cost numeric);
SELECT dblink_exec('other', 'COMMIT');

-- An alias added in this session is used by its next insert, and so is its removal.
INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('history-alias', 'history-model');
SELECT * FROM dblink('other', $$INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
                               VALUES ('h-other-3', 'history-wf', 'History-Alias', 1000000, 0) RETURNING execution_cost_total, price_status$$)
    AS t(cost numeric, status text);
DELETE FROM masecon.model_aliases WHERE alias = 'history-alias';
SELECT * FROM dblink('other', $$INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
                               VALUES ('h-other-4', 'history-wf', 'History-Alias', 1000000, 0) RETURNING execution_cost_total, price_status$$)
    AS t(cost numeric, status text);
SELECT dblink_disconnect('other');
DROP EXTENSION dblink;

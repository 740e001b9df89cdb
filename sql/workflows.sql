-- Customer attribution: customer_id from the workflow, registration of new
-- workflows, and rejection of events that do not fit.

-- The first event of a workflow that carries customer_id registers it,
-- with the event's timestamp as created_at.
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('w-1', 'cust-a', 'wf-a', 'planner', 'gpt-4o', 10, 10, '2026-03-01 10:00+00');
SELECT customer_id, workflow_id, created_at FROM masecon.workflows WHERE workflow_id = 'wf-a';

-- Later events may omit customer_id: it is filled from the workflow.
INSERT INTO masecon.execution_events (execution_id, workflow_id, agent_id, model_name, tokens_in, tokens_out)
VALUES ('w-2', 'wf-a', 'writer', 'gpt-4o', 10, 10);
SELECT execution_id, customer_id FROM masecon.execution_events WHERE workflow_id = 'wf-a' ORDER BY execution_id;

-- Inside one statement too, for rows that register and rows that rely on it.
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('w-3', 'cust-b', 'wf-b', 'gpt-4o', 1, 1),
       ('w-4', NULL, 'wf-b', 'gpt-4o', 1, 1);
SELECT execution_id, customer_id FROM masecon.execution_events WHERE workflow_id = 'wf-b' ORDER BY execution_id;

-- An unknown workflow without customer_id is rejected, naming the workflow.
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, tokens_out)
VALUES ('wf-unknown', 'gpt-4o', 1, 1);

-- A customer_id that disagrees with the workflow's is rejected.
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('cust-b', 'wf-a', 'gpt-4o', 1, 1);

-- An update that moves an event to another customer's workflow is rejected too.
UPDATE masecon.execution_events SET workflow_id = 'wf-b' WHERE execution_id = 'w-1';

-- A workflow registered in a rolled-back transaction is gone, and the
-- backend does not keep believing in it.
BEGIN;
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('cust-c', 'wf-rolled-back', 'gpt-4o', 1, 1);
ROLLBACK;
SELECT count(*) AS rolled_back_workflows FROM masecon.workflows WHERE workflow_id = 'wf-rolled-back';
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, tokens_out)
VALUES ('wf-rolled-back', 'gpt-4o', 1, 1);

-- Deleting a workflow is seen by the next insert.
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('w-5', 'cust-d', 'wf-d', 'gpt-4o', 1, 1);
DELETE FROM masecon.execution_events WHERE workflow_id = 'wf-d';
DELETE FROM masecon.workflows WHERE workflow_id = 'wf-d';
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, tokens_out)
VALUES ('wf-d', 'gpt-4o', 1, 1);

-- Moving a workflow to another customer is seen by the next insert.
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('w-6', 'cust-e', 'wf-e', 'gpt-4o', 1, 1);
UPDATE masecon.workflows SET customer_id = 'cust-f' WHERE workflow_id = 'wf-e';
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('w-7', 'wf-e', 'gpt-4o', 1, 1) RETURNING customer_id;

-- The same workflow id under two customers: an event must say which.
INSERT INTO masecon.workflows (customer_id, workflow_id) VALUES ('cust-g', 'wf-shared'), ('cust-h', 'wf-shared');
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, tokens_out)
VALUES ('wf-shared', 'gpt-4o', 1, 1);
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('w-8', 'cust-h', 'wf-shared', 'gpt-4o', 1, 1) RETURNING customer_id;

-- execution_id is unique per customer; a retry is rejected or skipped.
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('w-2', 'wf-a', 'gpt-4o', 10, 10);
INSERT INTO masecon.execution_events (execution_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('w-2', 'wf-a', 'gpt-4o', 10, 10) ON CONFLICT DO NOTHING;
SELECT count(*) AS w2_rows FROM masecon.execution_events WHERE execution_id = 'w-2';

-- execution_id defaults to a new UUID.
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, tokens_out)
VALUES ('wf-a', 'gpt-4o', 1, 1) RETURNING execution_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' AS is_uuid;

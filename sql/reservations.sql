-- masecon.mas_reserve and masecon.mas_release: reservations counted as
-- spend by the guardrail and the pressure, and the checks on their
-- arguments.  Settlement by events is tested in test/reservations.sql.
\pset null '(null)'
SET TimeZone = 'UTC';

INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, workflow_budget_limit)
VALUES ('rs-c', 10.00, 0.12);

-- 9.90 spent today: a priced gpt-4o step without tokens costs its tool cost.
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, agent_id, model_name, tool_cost_total, "timestamp")
VALUES ('rs-e1', 'rs-c', 'rs-w0', 'planner', 'gpt-4o', 9.90, '2026-01-15 10:00:00+00');

-- Three reservations of 0.05 at noon: 9.95 and 10.00 are within the daily
-- budget of 10.00 (above 80% of it, so WARN), 10.05 is over it.
SELECT signal, reasons, daily_spend, reserved_spend, proposed_cost,
       reservation_id IS NOT NULL AS reserved, expires_at
  FROM masecon.mas_reserve('rs-c', 'rs-w1', 'writer', 0.05, at => '2026-01-15 12:00:00+00');
SELECT signal, reasons, daily_spend, reserved_spend, proposed_cost,
       reservation_id IS NOT NULL AS reserved, expires_at
  FROM masecon.mas_reserve('rs-c', 'rs-w1', 'writer', 0.05, at => '2026-01-15 12:00:00+00');
SELECT signal, reasons, daily_spend, reserved_spend, proposed_cost,
       reservation_id IS NOT NULL AS reserved, expires_at
  FROM masecon.mas_reserve('rs-c', 'rs-w1', 'writer', 0.05, at => '2026-01-15 12:00:00+00');

SELECT workflow_id, agent_id, estimated_cost, created_at, expires_at, released_at,
       length(reservation_id) AS id_length
  FROM masecon.reservations
 WHERE customer_id = 'rs-c';

-- The look-up counts reservations until they expire at 12:05.  It counts
-- them before their created_at too, because at defaults to now(), the start
-- of the caller's transaction, which may precede a reservation that another
-- caller committed while this one waited for the lock.
SELECT a.at, r.spend, r.workflow_spend, r.reservations
  FROM (VALUES ('2026-01-15 11:59:00+00'::timestamptz),
               ('2026-01-15 12:04:59+00'),
               ('2026-01-15 12:05:00+00')) AS a(at),
       LATERAL masecon.reserved_spend('rs-c', a.at, 'rs-w1') AS r;
SELECT * FROM masecon.reserved_spend('rs-c', '2026-01-15 12:00:00+00');
SELECT * FROM masecon.reserved_spend('rs-c', '2026-01-15 12:00:00+00', 'rs-w0');
SELECT * FROM masecon.reserved_spend('rs-nobody', '2026-01-15 12:00:00+00');

-- The guardrail counts them in the daily spend, and in the workflow spend
-- of rs-w1 only: 0.10 reserved + 0.05 proposed is over the workflow budget
-- of 0.12.
\x on
SELECT * FROM masecon.mas_evaluate_guardrail('rs-c', 'rs-w1', 'writer', 0.05, '2026-01-15 12:01:00+00');
SELECT * FROM masecon.mas_evaluate_guardrail('rs-c', 'rs-w2', 'writer', 0, '2026-01-15 12:01:00+00');
-- After the expiry the same call is back to the stored spend.
SELECT * FROM masecon.mas_evaluate_guardrail('rs-c', 'rs-w1', 'writer', 0.05, '2026-01-15 12:05:00+00');

-- The pressure counts them as spend: 9.90 + 0.10 at noon, half the day
-- gone and no history, forecasts 10.00 + 0.5 x 10.00 = 15.
SELECT * FROM masecon.mas_pressure_figures('rs-c', '2026-01-15 12:00:00+00');
SELECT * FROM masecon.mas_pressure_figures('rs-c', '2026-01-15 12:05:00+00');
\x off

-- The pure form adds the reservations before the rules run.
SELECT signal, reasons, daily_spend, workflow_spend, reserved_spend, workflow_reserved_spend
  FROM masecon.mas_evaluate_guardrail(
      daily_spend => 9.90, daily_budget => 10, workflow_spend => 0, workflow_budget => 0.12,
      agent_steps => NULL, step_limit => NULL, proposed_cost => 0.05,
      reserved_spend => 0.10, workflow_reserved_spend => 0.10);
-- Without a workflow, workflow_reserved_spend plays no part.
SELECT signal, reasons, daily_spend, workflow_spend, reserved_spend, workflow_reserved_spend
  FROM masecon.mas_evaluate_guardrail(
      daily_spend => 1, daily_budget => 10, workflow_spend => NULL, workflow_budget => 0.12,
      agent_steps => NULL, step_limit => NULL, proposed_cost => 0,
      reserved_spend => 0.5, workflow_reserved_spend => 100);
SELECT signal FROM masecon.mas_evaluate_guardrail(1, 10, NULL, NULL, NULL, NULL, 0, '{}', 0.8, NULL, 0);
SELECT signal FROM masecon.mas_evaluate_guardrail(1, 10, NULL, NULL, NULL, NULL, 0, '{}', 0.8, 0, -1);

-- Releasing: the first call cancels, the second returns false, and the
-- reservation stops counting at once.
SELECT reservation_id AS first_id FROM masecon.reservations
 WHERE customer_id = 'rs-c' ORDER BY reservation_id LIMIT 1 \gset
SELECT masecon.mas_release('rs-c', :'first_id') AS released;
SELECT masecon.mas_release('rs-c', :'first_id') AS released_again;
SELECT masecon.mas_release('rs-other', :'first_id') AS other_customer;
SELECT masecon.mas_release('rs-c', 'no-such-reservation') AS unknown;
SELECT masecon.mas_release('rs-c', NULL) AS null_id;
SELECT spend, reservations FROM masecon.reserved_spend('rs-c', '2026-01-15 12:00:00+00');
SELECT released_at IS NOT NULL AS has_released_at
  FROM masecon.reservations WHERE reservation_id = :'first_id';

-- With one reservation released, a fourth call fits again.
SELECT signal, reserved_spend, reservation_id IS NOT NULL AS reserved
  FROM masecon.mas_reserve('rs-c', NULL, NULL, 0.05, at => '2026-01-15 12:02:00+00');

-- A zero estimate is admitted while the budget holds, and a ttl sets the
-- expiry.
SELECT signal, reservation_id IS NOT NULL AS reserved, expires_at
  FROM masecon.mas_reserve('rs-c', NULL, NULL, 0, interval '90 seconds', '2026-01-15 12:03:00+00');

-- A customer without a policy has no limits, so every reservation passes.
SELECT signal, daily_budget, reserved_spend, reservation_id IS NOT NULL AS reserved
  FROM masecon.mas_reserve('rs-free', 'rs-fw', NULL, 1000, at => '2026-01-15 12:00:00+00');
SELECT signal, daily_budget, reserved_spend, reservation_id IS NOT NULL AS reserved
  FROM masecon.mas_reserve('rs-free', 'rs-fw', NULL, 1000, at => '2026-01-15 12:00:00+00');

-- customer_status shows the reservations open now.
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ('rs-now', 1);
SELECT signal FROM masecon.mas_reserve('rs-now', NULL, NULL, 0.25);
SELECT customer_id, signal, pressure, daily_spend, reserved_spend, daily_budget
  FROM masecon.customer_status WHERE customer_id = 'rs-now';

-- Bad arguments.
SELECT * FROM masecon.mas_reserve(NULL, 'w', 'a', 1);
SELECT * FROM masecon.mas_reserve('', 'w', 'a', 1);
SELECT * FROM masecon.mas_reserve('rs-c', '', 'a', 1);
SELECT * FROM masecon.mas_reserve('rs-c', 'w', '', 1);
SELECT * FROM masecon.mas_reserve('rs-c', 'w', 'a', NULL);
SELECT * FROM masecon.mas_reserve('rs-c', 'w', 'a', 'NaN');
SELECT * FROM masecon.mas_reserve('rs-c', 'w', 'a', 'Infinity');
SELECT * FROM masecon.mas_reserve('rs-c', 'w', 'a', -0.01);
SELECT * FROM masecon.mas_reserve('rs-c', 'w', 'a', 1, interval '0');
SELECT * FROM masecon.mas_reserve('rs-c', 'w', 'a', 1, interval '-5 minutes');
SELECT * FROM masecon.mas_reserve('rs-c', 'w', 'a', 1, NULL);
SELECT * FROM masecon.mas_reserve('rs-c', 'w', 'a', 1, at => NULL);
SELECT * FROM masecon.mas_reserve('rs-c', 'w', 'a', 1, at => 'infinity');
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM masecon.mas_reserve('rs-c', 'w', 'a', 1);
ROLLBACK;
-- The table checks hold for direct inserts too.
INSERT INTO masecon.reservations (customer_id, reservation_id, estimated_cost, created_at, expires_at)
VALUES ('rs-c', 'rs-bad-1', -1, '2026-01-15 12:00:00+00', '2026-01-15 12:05:00+00');
INSERT INTO masecon.reservations (customer_id, reservation_id, estimated_cost, created_at, expires_at)
VALUES ('rs-c', 'rs-bad-2', 1, '2026-01-15 12:00:00+00', '2026-01-15 12:00:00+00');
-- None of the rejected calls left a reservation.
SELECT count(*) AS reservations FROM masecon.reservations WHERE customer_id = 'rs-c';

-- Pruning deletes the reservations that expired before the cutoff.
SELECT masecon.mas_prune_reservations('2026-01-15 12:06:00+00') AS pruned;
SELECT masecon.mas_prune_reservations('2026-01-15 12:06:00+00') AS pruned_again;
SELECT customer_id, count(*) FROM masecon.reservations GROUP BY customer_id ORDER BY customer_id;

-- Volatility, strictness and parallel safety as declared.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proisstrict, p.proparallel
  FROM pg_proc AS p
 WHERE p.pronamespace = 'masecon'::regnamespace
   AND p.proname IN ('mas_reserve', 'mas_release', 'reserved_spend', 'mas_prune_reservations')
 ORDER BY 1::text;

DELETE FROM masecon.reservations WHERE customer_id LIKE 'rs-%';
DELETE FROM masecon.execution_events WHERE customer_id LIKE 'rs-%';
DELETE FROM masecon.workflows WHERE customer_id LIKE 'rs-%';
DELETE FROM masecon.budget_policies WHERE customer_id LIKE 'rs-%';

-- Reservations: an agent loop that reserves the estimated cost of each
-- step, runs it, and records it with the reservation_id, so that agents
-- running at the same moment cannot overshoot the daily budget together.
\echo
\echo '== Reservations: reserve, act, record'
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit)
VALUES ('demo-reserve', 1.00)
ON CONFLICT (customer_id) DO UPDATE SET daily_budget_limit = excluded.daily_budget_limit;
DELETE FROM masecon.execution_events WHERE customer_id = 'demo-reserve';
DELETE FROM masecon.reservations WHERE customer_id = 'demo-reserve';

-- 0.90 of the 1.00 budget is spent already.
INSERT INTO masecon.execution_events (customer_id, workflow_id, agent_id, model_name, tool_cost_total)
VALUES ('demo-reserve', 'demo-reserve-run', 'planner', 'gpt-4o', 0.90);

-- 1. Reserve the step's estimate.
SELECT signal, daily_spend, reserved_spend, reservation_id IS NOT NULL AS admitted
  FROM masecon.mas_reserve('demo-reserve', 'demo-reserve-run', 'writer', 0.04);
SELECT reservation_id AS writer_reservation
  FROM masecon.reservations WHERE customer_id = 'demo-reserve' \gset

-- A second agent reserves while the first step runs, and the open
-- reservation counts against it.
SELECT signal, reasons, reserved_spend, reservation_id
  FROM masecon.mas_reserve('demo-reserve', 'demo-reserve-run', 'reviewer', 0.08);

-- 2. The step runs.  3. Record it with its reservation_id: the real cost,
-- 0.03, replaces the estimate.
INSERT INTO masecon.execution_events
    (customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, reservation_id)
VALUES ('demo-reserve', 'demo-reserve-run', 'writer', 'gpt-4o', 8000, 1000, :'writer_reservation')
RETURNING execution_cost_total;

SELECT state, estimated_cost, settled_cost
  FROM masecon.reservation_status WHERE customer_id = 'demo-reserve';

-- Now the reviewer's step fits.
SELECT signal, daily_spend, reserved_spend, reservation_id IS NOT NULL AS admitted
  FROM masecon.mas_reserve('demo-reserve', 'demo-reserve-run', 'reviewer', 0.06);
SELECT customer_id, signal, pressure, daily_spend, reserved_spend, daily_budget
  FROM masecon.customer_status WHERE customer_id = 'demo-reserve';

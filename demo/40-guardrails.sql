-- Guardrails and pressure on the events demo/20-events.sql inserted for
-- customer acme, and on any other customer there is.
\pset footer off

-- A policy for acme unless an earlier demo file made one: 0.15 USD a day,
-- 0.10 USD per workflow run, 3 steps per agent, days in New York.
INSERT INTO masecon.budget_policies
    (customer_id, daily_budget_limit, workflow_budget_limit, step_limit_per_agent, time_zone)
VALUES ('acme', 0.15, 0.10, 3, 'America/New_York')
ON CONFLICT (customer_id) DO NOTHING;

\echo
\echo '== Guardrail: may the reviewer of support-run-1 take one more step of about 0.02 USD?'
SELECT signal, daily_spend, daily_budget, workflow_spend, workflow_budget, agent_steps, step_limit
  FROM masecon.mas_evaluate_guardrail('acme', 'support-run-1', 'reviewer', 0.02);
SELECT pg_catalog.unnest(reasons) AS reasons
  FROM masecon.mas_evaluate_guardrail('acme', 'support-run-1', 'reviewer', 0.02);

\echo
\echo '== Guardrail: a new workflow run for acme, first step of about 0.01 USD'
SELECT signal, daily_spend, daily_budget, workflow_spend, reasons
  FROM masecon.mas_evaluate_guardrail('acme', 'support-run-2', 'planner', 0.01);

\echo
\echo '== Pressure of each customer: forecast of the day against the daily budget'
SELECT c.customer_id, f.level AS pressure, f.time_zone, f.spend,
       pg_catalog.round(f.forecast, 6) AS forecast, f.budget,
       pg_catalog.round(f.ratio, 3) AS ratio
  FROM (SELECT e.customer_id FROM masecon.execution_events AS e
        UNION
        SELECT p.customer_id FROM masecon.budget_policies AS p) AS c,
       LATERAL masecon.mas_pressure_figures(c.customer_id) AS f
 ORDER BY c.customer_id;

\echo
\echo '== Customer status: every customer with a policy'
SELECT customer_id, signal, pressure, daily_spend, daily_budget,
       pg_catalog.round(forecast, 6) AS forecast, unpriced_models
  FROM masecon.customer_status
 ORDER BY customer_id;

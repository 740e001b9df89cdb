-- After seeding: the guardrail signal and the forecast pressure of each
-- demo customer, as an agent supervisor would read them before a step.
\echo
\echo '== Guardrail and pressure of each demo customer (one more step of about 0.05 USD)'
SELECT c.customer_id,
       g.signal,
       g.daily_spend,
       g.daily_budget,
       masecon.mas_pressure(c.customer_id) AS pressure,
       g.reasons
  FROM (SELECT customer_id FROM masecon.budget_policies WHERE customer_id LIKE 'demo-%') AS c,
       LATERAL masecon.mas_evaluate_guardrail(c.customer_id, proposed_cost => 0.05) AS g
 ORDER BY c.customer_id;

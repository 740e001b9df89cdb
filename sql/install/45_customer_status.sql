-- customer_status: the current signal and pressure of every customer with
-- a budget policy.

CREATE VIEW masecon.customer_status AS
SELECT p.customer_id,
       g.signal,
       f.level AS pressure,
       g.reasons,
       f.day,
       f.time_zone,
       g.daily_spend,
       g.reserved_spend,
       g.daily_budget,
       g.warn_threshold,
       f.forecast,
       f.ratio,
       f.amber_threshold,
       f.recent_daily_average,
       f.elapsed_fraction,
       p.workflow_budget_limit AS workflow_budget,
       p.step_limit_per_agent AS step_limit,
       g.unpriced_models
  FROM masecon.budget_policies AS p
 CROSS JOIN LATERAL masecon.mas_evaluate_guardrail(p.customer_id) AS g
 CROSS JOIN LATERAL masecon.mas_pressure_figures(p.customer_id) AS f;
COMMENT ON VIEW masecon.customer_status IS
    'for every customer with a budget policy: the guardrail signal (daily limits, no workflow), the pressure level and the figures behind them, now; daily_spend includes reserved_spend, the open reservations';

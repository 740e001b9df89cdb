-- Demo telemetry and the dashboard views: three demo customers, 30 days
-- ending now, then the summary, the costliest agents and models, and the
-- spike days.
\pset footer off
\echo
\echo '== Seeding 30 days of demo telemetry for 3 customers (mas_seed_demo_data)'
SELECT customers_seeded AS customers, policies, workflows, events, total_cost, first_event, last_event
  FROM masecon.mas_seed_demo_data(customers => 3, days => 30, events_per_day => 200, seed => 42, until => now());

\echo
\echo '== Cost summary of the last 30 days, all customers and each demo customer'
SELECT 'all customers' AS customer, s.*
  FROM masecon.mas_cost_summary(30) AS s
UNION ALL
SELECT p.customer_id, s.*
  FROM masecon.budget_policies AS p,
       LATERAL masecon.mas_cost_summary(30, p.customer_id) AS s
 WHERE p.customer_id LIKE 'demo-%';

\echo
\echo '== The costliest agents of each demo customer'
SELECT customer_id, agent_id, cost, executions, tokens, round(share * 100, 1) AS "share %"
  FROM (SELECT a.*, row_number() OVER (PARTITION BY a.customer_id ORDER BY a.cost DESC) AS rank
          FROM masecon.agent_costs AS a WHERE a.customer_id LIKE 'demo-%') AS a
 WHERE rank <= 3
 ORDER BY customer_id, cost DESC;

\echo
\echo '== The costliest models of each demo customer'
SELECT customer_id, model_name, cost, executions, tokens, round(share * 100, 1) AS "share %"
  FROM (SELECT m.*, row_number() OVER (PARTITION BY m.customer_id ORDER BY m.cost DESC) AS rank
          FROM masecon.model_costs AS m WHERE m.customer_id LIKE 'demo-%') AS m
 WHERE rank <= 3
 ORDER BY customer_id, cost DESC;

\echo
\echo '== Spike days of the last 30 days: cost above 2x the customer''s average day'
SELECT customer_id, day, cost, round(average_daily_cost, 4) AS average_daily_cost, round(ratio, 2) AS ratio
  FROM masecon.cost_spikes
 ORDER BY customer_id, day;

\echo
\echo '== Models without a price'
SELECT model_name, events, first_seen, last_seen FROM masecon.unpriced_models;

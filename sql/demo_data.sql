-- mas_seed_demo_data: what it writes, that the same arguments give the
-- same rows, and that re-seeding touches no other customer's rows.

SET TimeZone = 'UTC';

-- Another customer's rows, which seeding must leave alone: one whose id
-- merely resembles the demo prefix, and one with a policy.
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone)
VALUES ('dd-other', 5, 'Europe/Paris');
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, "timestamp")
VALUES ('o1', 'dd-other', 'dd-other-wf', 'planner', 'gpt-4o', 1000, 100, '2026-03-05 10:00+00'),
       ('o2', 'demo', 'demo-wf-not-seeded', 'planner', 'gpt-4o', 1000, 100, '2026-03-05 10:00+00');

CREATE TEMP TABLE other_rows AS
SELECT 'events' AS what, md5(string_agg(e::text, ';' ORDER BY e.customer_id, e.execution_id)) AS hash
  FROM masecon.execution_events AS e WHERE e.customer_id NOT LIKE 'demo-%'
UNION ALL
SELECT 'workflows', md5(string_agg(w::text, ';' ORDER BY w.customer_id, w.workflow_id))
  FROM masecon.workflows AS w WHERE w.customer_id NOT LIKE 'demo-%'
UNION ALL
SELECT 'policies', md5(string_agg(p::text, ';' ORDER BY p.customer_id))
  FROM masecon.budget_policies AS p WHERE p.customer_id NOT LIKE 'demo-%';

-- A hash of every demo row, with timestamps printed in UTC.  It leaves
-- out the columns that number rows or transactions: policy_id (an identity)
-- and ingest_xid (the inserting transaction).
CREATE TEMP TABLE seed_hashes (label text, events_hash text, workflows_hash text, policies_hash text);
CREATE FUNCTION pg_temp.record_demo_rows(label text) RETURNS void LANGUAGE sql SET TimeZone = 'UTC' AS $$
INSERT INTO seed_hashes
SELECT label,
       (SELECT md5(string_agg(concat_ws('|', e.execution_id, e.customer_id, e.workflow_id, e.agent_id,
                                        e.model_name, e.resolved_model, e.tokens_in, e.tokens_out,
                                        e.cached_tokens_in, e.cache_write_tokens_in, e.tool_calls,
                                        e.tool_cost_total, e.reported_cost, e.execution_cost_total,
                                        e.price_status, e.latency_ms, e.confidence_score, e."timestamp"),
                              ';' ORDER BY e.customer_id, e.execution_id))
          FROM masecon.execution_events AS e WHERE e.customer_id LIKE 'demo-%'),
       (SELECT md5(string_agg(w::text, ';' ORDER BY w.customer_id, w.workflow_id))
          FROM masecon.workflows AS w WHERE w.customer_id LIKE 'demo-%'),
       (SELECT md5(string_agg(concat_ws('|', p.customer_id, p.daily_budget_limit, p.workflow_budget_limit,
                                        p.step_limit_per_agent, p.time_zone, p.created_at, p.updated_at),
                              ';' ORDER BY p.customer_id))
          FROM masecon.budget_policies AS p WHERE p.customer_id LIKE 'demo-%')
$$;

SELECT * FROM masecon.mas_seed_demo_data(3, 10, 30, 42, '2026-03-10 12:00+00');
SELECT pg_temp.record_demo_rows('first');

-- The same arguments again, in another transaction (so another now()) and
-- another session time zone: the same rows, and the earlier ones replaced.
SET TimeZone = 'Asia/Kolkata';
SELECT replaced_events, events FROM masecon.mas_seed_demo_data(3, 10, 30, 42, '2026-03-10 12:00+00');
SELECT pg_temp.record_demo_rows('again');
SET TimeZone = 'UTC';

SELECT events_hash = (SELECT events_hash FROM seed_hashes WHERE label = 'first') AS same_events,
       workflows_hash = (SELECT workflows_hash FROM seed_hashes WHERE label = 'first') AS same_workflows,
       policies_hash = (SELECT policies_hash FROM seed_hashes WHERE label = 'first') AS same_policies
  FROM seed_hashes WHERE label = 'again';

-- What the rows contain.  Every customer has a policy with its time zone.
SELECT customer_id, daily_budget_limit > 0 AS has_daily_budget, workflow_budget_limit, step_limit_per_agent, time_zone
  FROM masecon.budget_policies WHERE customer_id LIKE 'demo-%' ORDER BY customer_id;
-- Events lie in the 10 local days that end at until.
SELECT customer_id,
       min(day) AS first_day, max(day) AS last_day, count(*) AS days,
       max("time") <= '2026-03-10 12:00+00' AS starts_before_until
  FROM masecon.daily_costs WHERE customer_id LIKE 'demo-%' GROUP BY customer_id ORDER BY customer_id;
SELECT max("timestamp") <= '2026-03-10 12:00+00' AS nothing_after_until
  FROM masecon.execution_events WHERE customer_id LIKE 'demo-%';
-- Several agents and catalog models, cached and cache-write tokens, tool
-- calls, and one model missing from the catalog.
SELECT count(DISTINCT agent_id) > 8 AS many_agents,
       count(DISTINCT resolved_model) >= 8 AS many_models,
       count(*) FILTER (WHERE cached_tokens_in > 0) > 0 AS has_cached_tokens,
       count(*) FILTER (WHERE cache_write_tokens_in > 0) > 0 AS has_cache_writes,
       bool_and(cached_tokens_in + cache_write_tokens_in <= tokens_in) AS cache_within_input,
       count(*) FILTER (WHERE tool_calls > 0) > 0 AS has_tool_calls,
       bool_and(tool_cost_total >= 0) AS tool_costs_valid,
       count(*) FILTER (WHERE price_status = 'unpriced') > 0 AS has_unpriced,
       bool_and(price_status = 'priced' OR model_name = 'llama-3.1-70b-instruct') AS only_trial_unpriced,
       bool_and(confidence_score BETWEEN 0 AND 1) AS confidence_valid
  FROM masecon.execution_events WHERE customer_id LIKE 'demo-%';
SELECT min(agents) >= 4 AS every_workflow_has_four_agents
  FROM (SELECT count(DISTINCT agent_id) AS agents FROM masecon.execution_events
         WHERE customer_id LIKE 'demo-%' GROUP BY workflow_id) AS w;
-- A daily rhythm: most runs start in local business hours.
SELECT count(*) FILTER (WHERE extract(hour FROM w.created_at AT TIME ZONE p.time_zone) BETWEEN 8 AND 17)
           > 3 * count(*) FILTER (WHERE extract(hour FROM w.created_at AT TIME ZONE p.time_zone) NOT BETWEEN 8 AND 17)
           AS business_hours_busiest
  FROM masecon.workflows AS w JOIN masecon.budget_policies AS p USING (customer_id)
 WHERE w.customer_id LIKE 'demo-%';
-- One spike day per customer in 10 days: its cost is over twice the mean.
SELECT customer_id, count(*) FILTER (WHERE cost * days > 2 * total) AS spike_days
  FROM (SELECT customer_id, cost, count(*) OVER w AS days, sum(cost) OVER w AS total
          FROM masecon.daily_costs WHERE customer_id LIKE 'demo-%'
        WINDOW w AS (PARTITION BY customer_id)) AS d
 GROUP BY customer_id ORDER BY customer_id;

-- Another seed or another until gives other rows.
SELECT events FROM masecon.mas_seed_demo_data(3, 10, 30, 43, '2026-03-10 12:00+00');
SELECT pg_temp.record_demo_rows('seed 43');
SELECT events FROM masecon.mas_seed_demo_data(3, 10, 30, 42, '2026-03-11 12:00+00');
SELECT pg_temp.record_demo_rows('until a day later');
SELECT label, events_hash <> (SELECT events_hash FROM seed_hashes WHERE label = 'first') AS other_events
  FROM seed_hashes WHERE label IN ('seed 43', 'until a day later') ORDER BY label;

-- Re-seeding with fewer customers removes the demo customer it no longer
-- writes, and no other customer's events, workflows or policies change.
SELECT customers_seeded, policies, replaced_events > 0 AS replaced
  FROM masecon.mas_seed_demo_data(2, 5, 10, 42, '2026-03-10 12:00+00');
SELECT DISTINCT customer_id FROM masecon.execution_events WHERE customer_id LIKE 'demo%' ORDER BY 1;
SELECT o.what, o.hash = n.hash AS unchanged
  FROM other_rows AS o
  JOIN (SELECT 'events' AS what, md5(string_agg(e::text, ';' ORDER BY e.customer_id, e.execution_id)) AS hash
          FROM masecon.execution_events AS e WHERE e.customer_id NOT LIKE 'demo-%'
        UNION ALL
        SELECT 'workflows', md5(string_agg(w::text, ';' ORDER BY w.customer_id, w.workflow_id))
          FROM masecon.workflows AS w WHERE w.customer_id NOT LIKE 'demo-%'
        UNION ALL
        SELECT 'policies', md5(string_agg(p::text, ';' ORDER BY p.customer_id))
          FROM masecon.budget_policies AS p WHERE p.customer_id NOT LIKE 'demo-%') AS n USING (what)
 ORDER BY o.what;

-- Rejected arguments.
SELECT * FROM masecon.mas_seed_demo_data(0);
SELECT * FROM masecon.mas_seed_demo_data(1001);
SELECT * FROM masecon.mas_seed_demo_data(days => 0);
SELECT * FROM masecon.mas_seed_demo_data(events_per_day => 0);
SELECT * FROM masecon.mas_seed_demo_data(seed => NULL);
SELECT * FROM masecon.mas_seed_demo_data(until => 'infinity');

-- Leave the database as it was.
DELETE FROM masecon.execution_events WHERE customer_id LIKE 'demo-%' OR customer_id IN ('dd-other', 'demo');
DELETE FROM masecon.workflows WHERE customer_id LIKE 'demo-%' OR customer_id IN ('dd-other', 'demo');
DELETE FROM masecon.budget_policies WHERE customer_id LIKE 'demo-%' OR customer_id = 'dd-other';

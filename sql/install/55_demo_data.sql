-- Synthetic demo telemetry: masecon.mas_seed_demo_data and its helpers.
--
-- Demo rows belong to customers whose customer_id starts with 'demo-';
-- re-seeding deletes the events, workflows and budget policies of those
-- customers and of no other.  Every generated value comes from
-- masecon.demo_random, a pure function of the seed and the row's position.
-- Every instant comes from `until` and the customers' time zones.  So the
-- same arguments give the same rows whatever the clock, the session's time
-- zone or the order in which rows are generated.

CREATE FUNCTION masecon.demo_random(seed bigint, stream bigint, key1 bigint, key2 bigint)
RETURNS double precision
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'masecon_demo_random';
COMMENT ON FUNCTION masecon.demo_random(bigint, bigint, bigint, bigint) IS
    'uniform number in [0, 1) that depends only on the four arguments (SplitMix64 hash), the generator behind mas_seed_demo_data';

-- The demo customers: id, time zone of the budget policy, size (a factor
-- on events_per_day whose mean over three customers is 1) and the
-- workflow template the customer runs most.
CREATE FUNCTION masecon.demo_customers(customers integer)
RETURNS TABLE (customer_no integer, customer_id text, time_zone text,
               size double precision, main_template integer)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
ROWS 10
SET search_path = pg_catalog, pg_temp
AS $$
SELECT c.n,
       'demo-' || coalesce((ARRAY['acme', 'globex', 'initech', 'umbrella', 'hooli',
                                  'stark', 'wayne', 'tyrell', 'wonka', 'soylent'])[c.n],
                           'customer-' || c.n::text),
       (ARRAY['America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'UTC',
              'America/Los_Angeles', 'Australia/Sydney', 'Asia/Kolkata'])[(c.n - 1) % 7 + 1],
       (ARRAY[1.3, 1.0, 0.7]::double precision[])[(c.n - 1) % 3 + 1],
       (c.n - 1) % 4 + 1
  FROM generate_series(1, customers) AS c(n)
$$;
COMMENT ON FUNCTION masecon.demo_customers(integer) IS
    'the first customers demo customers of mas_seed_demo_data with their time zone, size and main workflow template';

-- Workflow templates and their agents.  Token ranges follow the work each
-- agent does: a router reads a short prompt and replies in a few tokens,
-- and a coder reads a large, mostly cached context.  Steps per agent are drawn
-- from 1 to max_steps, which averages about 7 events per workflow run.
CREATE FUNCTION masecon.demo_agents()
RETURNS TABLE (template integer, task_type text, workflow_name text,
               agent_position integer, agent_id text, model_name text,
               min_tokens_in integer, max_tokens_in integer,
               min_tokens_out integer, max_tokens_out integer,
               max_cached_share double precision, writes_cache boolean,
               max_steps integer, max_tool_calls integer, tool_cost_per_call numeric,
               ms_per_token_out integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
ROWS 16
SET search_path = pg_catalog, pg_temp
AS $$
VALUES
    (1, 'support',    'Support ticket triage', 1, 'router',     'gpt-4o-mini',                  600,  1500,  10,   60, 0.0, false, 1, 0, 0.0,    8),
    (1, 'support',    'Support ticket triage', 2, 'retriever',  'gpt-4o-mini',                 3000,  9000, 150,  400, 0.5, false, 3, 3, 0.001,  8),
    (1, 'support',    'Support ticket triage', 3, 'responder',  'gpt-4o',                      4000, 14000, 250,  900, 0.7, false, 4, 0, 0.0,   18),
    (1, 'support',    'Support ticket triage', 4, 'reviewer',   'claude-3-haiku-20240307',     2000,  6000,  40,  200, 0.6, true,  2, 0, 0.0,    7),
    (2, 'research',   'Market research brief', 1, 'planner',    'claude-3-opus-20240229',      2500,  6000, 300,  900, 0.5, true,  2, 0, 0.0,   35),
    (2, 'research',   'Market research brief', 2, 'researcher', 'gpt-4o',                      6000, 20000, 400, 1200, 0.6, false, 4, 5, 0.005, 18),
    (2, 'research',   'Market research brief', 3, 'writer',     'claude-3-5-sonnet-20241022',  8000, 24000, 900, 2500, 0.7, true,  3, 0, 0.0,   20),
    (2, 'research',   'Market research brief', 4, 'critic',     'gpt-4o-mini',                 5000, 15000, 100,  500, 0.4, false, 2, 0, 0.0,    8),
    (3, 'coding',     'Bug fix pull request',  1, 'planner',    'gpt-4-turbo',                 3000,  8000, 200,  700, 0.0, false, 2, 1, 0.002, 30),
    (3, 'coding',     'Bug fix pull request',  2, 'coder',      'claude-3-5-sonnet-20241022', 12000, 60000, 500, 3000, 0.8, true,  4, 2, 0.002, 20),
    (3, 'coding',     'Bug fix pull request',  3, 'tester',     'gpt-3.5-turbo',               2000,  7000, 100,  600, 0.0, false, 3, 4, 0.002, 10),
    (3, 'coding',     'Bug fix pull request',  4, 'reviewer',   'gpt-4o',                      6000, 18000, 150,  600, 0.6, false, 2, 0, 0.0,   18),
    (4, 'extraction', 'Invoice extraction',    1, 'classifier', 'claude-3-haiku-20240307',      800,  2500,   5,   30, 0.0, false, 1, 0, 0.0,    7),
    (4, 'extraction', 'Invoice extraction',    2, 'extractor',  'gpt-4o-mini',                 2000,  8000, 200,  800, 0.3, false, 3, 1, 0.0005, 8),
    (4, 'extraction', 'Invoice extraction',    3, 'validator',  'gpt-3.5-turbo',               1000,  4000,  20,  150, 0.0, false, 3, 2, 0.001, 10),
    (4, 'extraction', 'Invoice extraction',    4, 'summarizer', 'claude-3-sonnet-20240229',    1500,  5000, 100,  400, 0.0, false, 2, 0, 0.0,   20)
$$;
COMMENT ON FUNCTION masecon.demo_agents() IS
    'workflow templates of mas_seed_demo_data: each agent''s model, token ranges, cache use, steps and tool calls';

-- One row per demo customer and local calendar day of the window: the
-- window is the `days` days in the customer's time zone that end with the
-- day `until` falls on.  A few days per customer (one per 14 days, none
-- in windows under 7 days, never the last day) are spike days with four
-- times a weekday's runs.  Weekends have about a third of a weekday's runs.
CREATE FUNCTION masecon.demo_days(customers integer, days integer, events_per_day integer,
                                  seed bigint, until timestamptz)
RETURNS TABLE (customer_no integer, customer_id text, time_zone text, day_index integer,
               local_date date, spike boolean, runs integer)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
ROWS 100
SET search_path = pg_catalog, pg_temp
AS $$
SELECT c.customer_no,
       c.customer_id,
       c.time_zone,
       d.i,
       d.local_date,
       s.spike,
       floor(events_per_day * c.size
             * CASE WHEN s.spike THEN 4.0
                    WHEN extract(isodow FROM d.local_date) = 6 THEN 0.4
                    WHEN extract(isodow FROM d.local_date) = 7 THEN 0.3
                    ELSE 1.0 END
             * (0.85 + 0.3 * masecon.demo_random(seed, 1, c.customer_no, d.i))
             / 7.0
             + masecon.demo_random(seed, 15, c.customer_no, d.i))::integer
  FROM masecon.demo_customers(customers) AS c
 CROSS JOIN LATERAL (SELECT i, (until AT TIME ZONE c.time_zone)::date - (days - 1) + i
                       FROM generate_series(0, days - 1) AS i) AS d(i, local_date)
 CROSS JOIN LATERAL (SELECT EXISTS (
                         SELECT
                           FROM generate_series(1, CASE WHEN days >= 7 THEN greatest(1, days / 14) ELSE 0 END) AS k
                          WHERE floor(masecon.demo_random(seed, 2, c.customer_no, k) * (days - 1)) = d.i)) AS s(spike)
$$;
COMMENT ON FUNCTION masecon.demo_days(integer, integer, integer, bigint, timestamptz) IS
    'the local days of mas_seed_demo_data''s window per demo customer, with the spike days and the number of workflow runs';

-- The workflow runs of one day of the window, for every demo customer.
-- A run starts in business hours (08:00 to 18:00 local, busiest at 13:00)
-- four times in five, and at any hour otherwise.  Runs that would start
-- after `until` are left out.
CREATE FUNCTION masecon.demo_runs(customers integer, days integer, events_per_day integer,
                                  seed bigint, until timestamptz, day_index integer)
RETURNS TABLE (customer_no integer, customer_id text, day_key bigint, run_no integer,
               template integer, workflow_id text, started_at timestamptz)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
ROWS 1000
SET search_path = pg_catalog, pg_temp
AS $$
SELECT r.customer_no, r.customer_id, r.day_key, r.run_no, r.template,
       format('%s-%s-%s', r.customer_id, to_char(r.local_date, 'YYYYMMDD'), lpad(r.run_no::text, 5, '0')),
       r.started_at
  FROM (SELECT d.customer_no,
               d.customer_id,
               d.local_date,
               d.customer_no::bigint * 100000 + d.day_index AS day_key,
               n.run_no,
               CASE WHEN masecon.demo_random(seed, 3, d.customer_no::bigint * 100000 + d.day_index, n.run_no) < 0.55
                    THEN c.main_template
                    ELSE 1 + floor(4 * masecon.demo_random(seed, 4, d.customer_no::bigint * 100000 + d.day_index, n.run_no))::integer
               END AS template,
               (d.local_date::timestamp
                + make_interval(secs => floor(
                      CASE WHEN masecon.demo_random(seed, 5, d.customer_no::bigint * 100000 + d.day_index, n.run_no) < 0.8
                           THEN 8 * 3600 + 5 * 3600 * (masecon.demo_random(seed, 6, d.customer_no::bigint * 100000 + d.day_index, n.run_no)
                                                      + masecon.demo_random(seed, 7, d.customer_no::bigint * 100000 + d.day_index, n.run_no))
                           ELSE 86400 * masecon.demo_random(seed, 6, d.customer_no::bigint * 100000 + d.day_index, n.run_no)
                      END)))
               AT TIME ZONE d.time_zone AS started_at
          FROM masecon.demo_days(customers, days, events_per_day, seed, until) AS d
          JOIN masecon.demo_customers(customers) AS c ON c.customer_no = d.customer_no
         CROSS JOIN LATERAL generate_series(1, d.runs) AS n(run_no)
         WHERE d.day_index = demo_runs.day_index) AS r
 WHERE r.started_at <= until
$$;
COMMENT ON FUNCTION masecon.demo_runs(integer, integer, integer, bigint, timestamptz, integer) IS
    'the workflow runs of mas_seed_demo_data on one day of its window, with their template and start';

CREATE FUNCTION masecon.mas_seed_demo_data(
    customers integer DEFAULT 3,
    days integer DEFAULT 30,
    events_per_day integer DEFAULT 200,
    seed bigint DEFAULT 42,
    until timestamptz DEFAULT pg_catalog.now(),
    OUT customers_seeded integer,
    OUT policies bigint,
    OUT workflows bigint,
    OUT events bigint,
    OUT total_cost numeric,
    OUT first_event timestamptz,
    OUT last_event timestamptz,
    OUT replaced_events bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
-- Compiling each day's statements would take longer than running them.
SET jit = off
AS $$
DECLARE
    day_index integer;
    written bigint;
    report_every integer;
    window_start timestamptz;
    -- The model a customer tried for one day: not in the catalog, so its
    -- events are stored unpriced and show up in masecon.unpriced_models.
    trial_model constant text := 'llama-3.1-70b-instruct';
    trial_customer integer := least(2, customers);
    trial_day integer := days / 2;
BEGIN
    IF customers IS NULL OR customers < 1 OR customers > 1000 THEN
        RAISE EXCEPTION 'customers must be between 1 and 1000, not %', coalesce(customers::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'customers is the number of demo customers to generate.';
    END IF;
    IF days IS NULL OR days < 1 OR days > 3660 THEN
        RAISE EXCEPTION 'days must be between 1 and 3660, not %', coalesce(days::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'days is the number of calendar days, ending with the day of until, to fill.';
    END IF;
    IF events_per_day IS NULL OR events_per_day < 1 OR events_per_day > 1000000 THEN
        RAISE EXCEPTION 'events_per_day must be between 1 and 1000000, not %', coalesce(events_per_day::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'events_per_day is the mean number of events of one customer on a weekday.';
    END IF;
    IF seed IS NULL THEN
        RAISE EXCEPTION 'seed must not be NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass any bigint; the same seed gives the same rows.';
    END IF;
    IF until IS NULL OR NOT isfinite(until) THEN
        RAISE EXCEPTION 'until must be a finite timestamp, not %', coalesce(until::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'until is the instant the generated telemetry ends, now() by default.';
    END IF;

    -- Two seeders at once would delete each other's rows half-way.
    PERFORM pg_advisory_xact_lock(hashtext('masecon.mas_seed_demo_data'));

    -- NOTE: rows of other tables that refer to demo customers (such as
    -- reservations) are not deleted here.
    DELETE FROM masecon.execution_events AS e WHERE e.customer_id LIKE 'demo-%';
    GET DIAGNOSTICS replaced_events = ROW_COUNT;
    DELETE FROM masecon.workflows AS w WHERE w.customer_id LIKE 'demo-%';
    DELETE FROM masecon.budget_policies AS p WHERE p.customer_id LIKE 'demo-%';

    customers_seeded := customers;
    workflows := 0;
    events := 0;
    report_every := CASE WHEN customers::bigint * days * events_per_day >= 100000
                         THEN greatest(1, days / 10) END;

    -- One day at a time, so that a large run can report its progress.  Each
    -- day's rows go in with two set-based statements, through the pricing
    -- trigger.
    FOR day_index IN 0 .. days - 1 LOOP
        INSERT INTO masecon.workflows (customer_id, workflow_id, workflow_name, task_type, created_at)
        SELECT r.customer_id, r.workflow_id, t.workflow_name, t.task_type, r.started_at
          FROM masecon.demo_runs(customers, days, events_per_day, seed, until, day_index) AS r
          JOIN (SELECT DISTINCT a.template, a.workflow_name, a.task_type
                  FROM masecon.demo_agents() AS a) AS t ON t.template = r.template;
        GET DIAGNOSTICS written = ROW_COUNT;
        workflows := workflows + written;

        INSERT INTO masecon.execution_events
            (execution_id, customer_id, workflow_id, agent_id, model_name,
             tokens_in, tokens_out, cached_tokens_in, cache_write_tokens_in,
             tool_calls, tool_cost_total, latency_ms, confidence_score, "timestamp")
        SELECT s.workflow_id || '-' || s.agent_position || '-' || s.step,
               s.customer_id,
               s.workflow_id,
               s.agent_id,
               s.model_name,
               s.tokens_in,
               s.tokens_out,
               CASE WHEN s.step > 1
                    THEN floor(s.tokens_in * s.max_cached_share * (0.5 + 0.5 * s.u_cache))::bigint
                    ELSE 0 END,
               CASE WHEN s.step = 1 AND s.writes_cache
                    THEN floor(s.tokens_in * 0.4)::bigint
                    ELSE 0 END,
               s.tool_calls,
               s.tool_calls * s.tool_cost_per_call,
               (250 + s.tokens_out * s.ms_per_token_out + floor(400 * s.u_latency))::integer,
               round((0.7 + 0.29 * s.u_confidence)::numeric, 3)::double precision,
               s.at
          FROM (SELECT r.customer_id,
                       r.workflow_id,
                       a.agent_position,
                       a.agent_id,
                       CASE WHEN r.customer_no = trial_customer AND day_index = trial_day AND a.agent_position = 1
                            THEN trial_model ELSE a.model_name END AS model_name,
                       st.step,
                       -- Later steps carry the earlier outputs in their context.
                       (a.min_tokens_in
                        + floor((a.max_tokens_in - a.min_tokens_in) * masecon.demo_random(seed, 8, r.day_key, k.key) ^ 2)
                        + (st.step - 1) * a.max_tokens_out / 2)::bigint AS tokens_in,
                       (a.min_tokens_out
                        + floor((a.max_tokens_out - a.min_tokens_out) * masecon.demo_random(seed, 9, r.day_key, k.key)))::bigint AS tokens_out,
                       a.max_cached_share,
                       a.writes_cache,
                       masecon.demo_random(seed, 10, r.day_key, k.key) AS u_cache,
                       floor((a.max_tool_calls + 1) * masecon.demo_random(seed, 11, r.day_key, k.key))::integer AS tool_calls,
                       a.tool_cost_per_call,
                       a.ms_per_token_out,
                       masecon.demo_random(seed, 12, r.day_key, k.key) AS u_latency,
                       masecon.demo_random(seed, 13, r.day_key, k.key) AS u_confidence,
                       r.started_at
                       + make_interval(secs => (a.agent_position - 1) * 75 + (st.step - 1) * 20
                                               + floor(15 * masecon.demo_random(seed, 14, r.day_key, k.key))) AS at
                  FROM masecon.demo_runs(customers, days, events_per_day, seed, until, day_index) AS r
                  JOIN masecon.demo_agents() AS a ON a.template = r.template
                 CROSS JOIN LATERAL generate_series(
                           1, 1 + floor(a.max_steps * masecon.demo_random(seed, 16, r.day_key,
                                                                          r.run_no::bigint * 1000 + a.agent_position))::integer)
                           AS st(step)
                 CROSS JOIN LATERAL (SELECT r.run_no::bigint * 1000 + a.agent_position * 100 + st.step) AS k(key)) AS s
         WHERE s.at <= until;
        GET DIAGNOSTICS written = ROW_COUNT;
        events := events + written;

        IF report_every IS NOT NULL AND ((day_index + 1) % report_every = 0 OR day_index = days - 1) THEN
            RAISE NOTICE 'mas_seed_demo_data: % of % days, % events', day_index + 1, days, events;
        END IF;
    END LOOP;

    -- Policies come last, so that seeding triggers no budget checks.  The
    -- daily budget is 1.3x the customer's costliest ordinary full day, so
    -- ordinary days pass and spike days exceed it.  The workflow budget is
    -- 6x the mean workflow cost, and the third customer has none.
    window_start := (SELECT min(d.local_date::timestamp AT TIME ZONE d.time_zone)
                       FROM masecon.demo_days(customers, days, events_per_day, seed, until) AS d);
    INSERT INTO masecon.budget_policies
        (customer_id, daily_budget_limit, workflow_budget_limit, step_limit_per_agent,
         time_zone, created_at, updated_at)
    SELECT c.customer_id,
           greatest(coalesce(round(b.costliest_day * 1.3, 2), 10.00), 0.01),
           CASE WHEN c.customer_no <> 3
                THEN greatest(round(w.mean_workflow_cost * 6, 2), 0.01) END,
           10,
           c.time_zone,
           window_start,
           window_start
      FROM masecon.demo_customers(customers) AS c
      LEFT JOIN (SELECT d.customer_id, max(x.cost) AS costliest_day
                   FROM masecon.demo_days(customers, days, events_per_day, seed, until) AS d
                  CROSS JOIN LATERAL (
                        SELECT sum(e.execution_cost_total) AS cost
                          FROM masecon.execution_events AS e
                         WHERE e.customer_id = d.customer_id
                           AND e."timestamp" >= (d.local_date::timestamp AT TIME ZONE d.time_zone)
                           AND e."timestamp" < ((d.local_date + 1)::timestamp AT TIME ZONE d.time_zone)) AS x
                  WHERE NOT d.spike AND d.day_index < days - 1
                  GROUP BY d.customer_id) AS b ON b.customer_id = c.customer_id
      LEFT JOIN (SELECT f.customer_id, avg(f.cost) AS mean_workflow_cost
                   FROM (SELECT e.customer_id, sum(e.execution_cost_total) AS cost
                           FROM masecon.execution_events AS e
                          WHERE e.customer_id LIKE 'demo-%'
                          GROUP BY e.customer_id, e.workflow_id) AS f
                  GROUP BY f.customer_id) AS w ON w.customer_id = c.customer_id;
    GET DIAGNOSTICS policies = ROW_COUNT;

    SELECT sum(e.execution_cost_total), min(e."timestamp"), max(e."timestamp")
      INTO total_cost, first_event, last_event
      FROM masecon.execution_events AS e
     WHERE e.customer_id LIKE 'demo-%';
END
$$;
COMMENT ON FUNCTION masecon.mas_seed_demo_data(integer, integer, integer, bigint, timestamptz) IS
    'replaces the demo customers'' events, workflows and budget policies (customer_id ''demo-...'') with synthetic telemetry over the days that end at until; the same arguments give the same rows';

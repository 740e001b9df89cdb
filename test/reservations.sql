-- Settlement of reservations by events: the reservation stops counting and
-- the event's real cost counts instead, exactly once.
BEGIN;
SELECT plan(45);

SET LOCAL TimeZone = 'UTC';
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ('tap-rs', 10);

-- A priced gpt-4o step without tokens costs exactly its tool cost.
CREATE FUNCTION pg_temp.record_step(execution_id text, cost numeric, reservation_id text,
                                    at timestamptz, customer_id text DEFAULT 'tap-rs')
RETURNS void LANGUAGE sql AS $$
    INSERT INTO masecon.execution_events
        (execution_id, customer_id, workflow_id, agent_id, model_name, tool_cost_total,
         reservation_id, "timestamp")
    VALUES (execution_id, customer_id, 'tap-rs-wf', 'worker', 'gpt-4o', cost, reservation_id, at)
$$;

-- Daily spend of tap-rs with its open reservations, as the guardrail sees it.
CREATE FUNCTION pg_temp.daily(at timestamptz) RETURNS numeric LANGUAGE sql AS $$
    SELECT (masecon.mas_evaluate_guardrail('tap-rs', at => at)).daily_spend
$$;

CREATE FUNCTION pg_temp.reserved(at timestamptz, customer_id text DEFAULT 'tap-rs')
RETURNS numeric LANGUAGE sql AS $$
    SELECT (masecon.reserved_spend(customer_id, at)).spend
$$;

CREATE FUNCTION pg_temp.reserve(cost numeric, at timestamptz, ttl interval DEFAULT '5 minutes',
                                customer_id text DEFAULT 'tap-rs')
RETURNS text LANGUAGE sql AS $$
    SELECT (masecon.mas_reserve(customer_id, 'tap-rs-wf', 'worker', cost, ttl, at)).reservation_id
$$;

SELECT pg_temp.record_step('tap-rs-base', 9.90, NULL, '2026-02-10 09:00:00+00');

-- A real cost below the estimate.
SELECT pg_temp.reserve(0.05, '2026-02-10 10:00:00+00') AS low_id \gset
SELECT is(pg_temp.daily('2026-02-10 10:00:00+00'), 9.95, 'open reservation counts as spend');
SELECT pg_temp.record_step('tap-rs-low', 0.03, :'low_id', '2026-02-10 10:01:00+00');
SELECT is(pg_temp.daily('2026-02-10 10:02:00+00'), 9.93, 'cheaper step counts its real cost');
SELECT is(pg_temp.reserved('2026-02-10 10:02:00+00'), 0::numeric, 'settled reservation stops counting');

-- A real cost above the estimate.
SELECT pg_temp.reserve(0.02, '2026-02-10 10:03:00+00') AS high_id \gset
SELECT is(pg_temp.daily('2026-02-10 10:03:00+00'), 9.95, 'second reservation counts');
SELECT pg_temp.record_step('tap-rs-high', 0.04, :'high_id', '2026-02-10 10:04:00+00');
SELECT is(pg_temp.daily('2026-02-10 10:04:00+00'), 9.97, 'dearer step counts its real cost');
SELECT is((SELECT settled_cost FROM masecon.reservation_status WHERE reservation_id = :'high_id'),
          0.04, 'reservation_status shows the real cost');
SELECT is((SELECT state FROM masecon.reservation_status WHERE reservation_id = :'high_id'),
          'settled', 'reservation_status shows settled');

-- An event that arrives after the reservation expired.
SELECT pg_temp.reserve(0.01, '2026-02-10 10:10:00+00', interval '1 minute') AS late_id \gset
SELECT is(pg_temp.daily('2026-02-10 10:10:30+00'), 9.98, 'reservation counts before its expiry');
SELECT is(pg_temp.daily('2026-02-10 10:11:00+00'), 9.97, 'reservation stops counting at its expiry');
SELECT pg_temp.record_step('tap-rs-late', 0.01, :'late_id', '2026-02-10 10:15:00+00');
SELECT is(pg_temp.daily('2026-02-10 10:16:00+00'), 9.98, 'late event counts once');
-- Before the expiry, the settled reservation no longer counts but the event does.
SELECT is(pg_temp.daily('2026-02-10 10:10:30+00'), 9.98, 'late event replaces the reservation');
SELECT is((SELECT state FROM masecon.reservation_status WHERE reservation_id = :'late_id'),
          'settled', 'late event settles the expired reservation');

-- A retried insert of the same execution_id.
SELECT pg_temp.reserve(0.01, '2026-02-10 10:20:00+00') AS retry_id \gset
SELECT pg_temp.record_step('tap-rs-retry', 0.01, :'retry_id', '2026-02-10 10:20:30+00');
SELECT throws_ok(
    format($$SELECT pg_temp.record_step('tap-rs-retry', 0.01, %L, '2026-02-10 10:20:30+00')$$,
           :'retry_id'),
    '23505', NULL, 'plain retry raises unique_violation');
INSERT INTO masecon.execution_events
    (execution_id, customer_id, workflow_id, model_name, tool_cost_total, reservation_id, "timestamp")
VALUES ('tap-rs-retry', 'tap-rs', 'tap-rs-wf', 'gpt-4o', 0.01, :'retry_id', '2026-02-10 10:20:30+00')
ON CONFLICT DO NOTHING;
SELECT is(pg_temp.daily('2026-02-10 10:21:00+00'), 9.99, 'retried event counts once');
SELECT is((SELECT count(*) FROM masecon.execution_events WHERE reservation_id = :'retry_id'),
          1::bigint, 'retry stores one event');
SELECT is(pg_temp.reserved('2026-02-10 10:21:00+00'), 0::numeric, 'retried reservation settled');

-- Releasing twice.
SELECT pg_temp.reserve(0.005, '2026-02-10 10:30:00+00') AS released_id \gset
SELECT is(pg_temp.daily('2026-02-10 10:30:00+00'), 9.995, 'reservation before release counts');
SELECT ok(masecon.mas_release('tap-rs', :'released_id'), 'first release returns true');
SELECT is(pg_temp.daily('2026-02-10 10:30:00+00'), 9.99, 'released reservation stops counting');
SELECT ok(NOT masecon.mas_release('tap-rs', :'released_id'), 'second release returns false');
SELECT is(pg_temp.daily('2026-02-10 10:30:00+00'), 9.99, 'second release changes nothing');
SELECT ok(NOT masecon.mas_release('tap-rs', :'low_id'), 'settled reservation cannot be released');
SELECT is((SELECT state FROM masecon.reservation_status WHERE reservation_id = :'released_id'),
          'released', 'reservation_status shows released');
-- A step that ran after all counts its real cost, and the reservation stays released.
SELECT pg_temp.record_step('tap-rs-after-release', 0.002, :'released_id', '2026-02-10 10:31:00+00');
SELECT is(pg_temp.daily('2026-02-10 10:31:00+00'), 9.992, 'event after release counts once');

-- A reservation of another customer, and an unknown id.
SELECT pg_temp.reserve(0.5, '2026-02-10 10:40:00+00', customer_id => 'tap-rs-other') AS other_id \gset
SELECT lives_ok(
    format($$SELECT pg_temp.record_step('tap-rs-foreign', 0.001, %L, '2026-02-10 10:41:00+00')$$,
           :'other_id'),
    'event with another customer''s reservation is stored');
SELECT is(pg_temp.reserved('2026-02-10 10:41:00+00', 'tap-rs-other'), 0.5,
          'another customer''s reservation stays open');
SELECT is(pg_temp.daily('2026-02-10 10:41:00+00'), 9.993, 'event with a foreign id counts');
SELECT lives_ok(
    $$SELECT pg_temp.record_step('tap-rs-unknown', 0.001, 'no-such-reservation', '2026-02-10 10:42:00+00')$$,
    'event with an unknown reservation is stored');
SELECT is(pg_temp.daily('2026-02-10 10:42:00+00'), 9.994, 'event with an unknown id counts');

-- Two steps that carry one reservation both count, and settle it once.
SELECT pg_temp.reserve(0.003, '2026-02-10 10:50:00+00') AS shared_id \gset
SELECT pg_temp.record_step('tap-rs-shared-1', 0.001, :'shared_id', '2026-02-10 10:50:10+00');
SELECT pg_temp.record_step('tap-rs-shared-2', 0.001, :'shared_id', '2026-02-10 10:50:20+00');
SELECT is(pg_temp.daily('2026-02-10 10:51:00+00'), 9.996, 'two events of one reservation count');
SELECT is((SELECT settled_events FROM masecon.reservation_status WHERE reservation_id = :'shared_id'),
          2::bigint, 'reservation_status counts both events');

-- The pricing trigger prices and keeps an event that carries a reservation.
SELECT is((SELECT row(execution_cost_total, price_status, reservation_id)::text
             FROM masecon.execution_events WHERE execution_id = 'tap-rs-shared-1'),
          row(0.001, 'priced', :'shared_id')::text, 'event with a reservation is priced');

-- Settling at the estimate leaves the pressure unchanged.
SELECT pg_temp.reserve(0.003, '2026-02-10 11:00:00+00') AS exact_id \gset
SELECT (masecon.mas_pressure_figures('tap-rs', '2026-02-10 11:01:00+00')).forecast AS forecast_before \gset
SELECT is((masecon.mas_pressure_figures('tap-rs', '2026-02-10 11:01:00+00')).reserved_spend,
          0.003, 'pressure shows the reserved spend');
SELECT pg_temp.record_step('tap-rs-exact', 0.003, :'exact_id', '2026-02-10 11:00:30+00');
SELECT is((masecon.mas_pressure_figures('tap-rs', '2026-02-10 11:01:00+00')).forecast,
          :'forecast_before'::numeric, 'settling at the estimate keeps the forecast');
SELECT is((masecon.mas_pressure_figures('tap-rs', '2026-02-10 11:01:00+00')).reserved_spend,
          0::numeric, 'pressure drops the settled reservation');

-- Once the daily budget is used up, mas_reserve admits nothing more.
SELECT is((masecon.mas_reserve('tap-rs', NULL, NULL, 0.001, at => '2026-02-10 11:10:00+00')).signal,
          'WARN'::masecon.guardrail_signal, 'reservation up to the budget is admitted');
SELECT is((masecon.mas_reserve('tap-rs', NULL, NULL, 0.0001, at => '2026-02-10 11:10:00+00')).reservation_id,
          NULL, 'reservation over the budget gets no id');
SELECT is(pg_temp.daily('2026-02-10 11:10:00+00'), 10.000::numeric, 'blocked reservation counts nothing');

-- masecon.mas_record_usage passes reservation_id on to the event it stores.
-- 1000 input and 100 output tokens of gpt-4o cost 0.0025 + 0.001.
SELECT pg_temp.reserve(0.01, '2026-02-10 11:20:00+00', customer_id => 'tap-rs-usage') AS usage_id \gset
SELECT is((masecon.mas_record_usage('tap-rs-usage-wf', 'worker', 'gpt-4o',
                                    '{"prompt_tokens": 1000, "completion_tokens": 100}',
                                    customer_id => 'tap-rs-usage',
                                    reservation_id => :'usage_id')).execution_cost_total,
          0.0035, 'recorded usage is priced');
SELECT is(pg_temp.reserved('2026-02-10 11:20:00+00', 'tap-rs-usage'), 0::numeric,
          'recorded usage settles its reservation');

-- A writer restricted to one customer reserves and releases only its own
-- reservations.  pgTAP's own tables belong to this session's user, so the
-- role records its results and the checks run after RESET ROLE.
CREATE ROLE tap_rs_tenant;
SELECT masecon.mas_grant_access('tap_rs_tenant', 'writer');
INSERT INTO masecon.tenant_roles (role, customer_id) VALUES ('tap_rs_tenant', 'tap-rs-t1');
CREATE TEMPORARY TABLE tenant_results (name text PRIMARY KEY, output text);
GRANT ALL ON tenant_results TO tap_rs_tenant;
SET ROLE tap_rs_tenant;
INSERT INTO tenant_results
SELECT 'own', (masecon.mas_reserve('tap-rs-t1', NULL, NULL, 0.01, at => '2026-02-10 12:00:00+00')).signal;
DO $$
BEGIN
    PERFORM masecon.mas_reserve('tap-rs-t2', NULL, NULL, 0.01, at => '2026-02-10 12:00:00+00');
    INSERT INTO tenant_results VALUES ('other', 'reserved');
EXCEPTION WHEN OTHERS THEN
    INSERT INTO tenant_results VALUES ('other', SQLSTATE);
END
$$;
INSERT INTO tenant_results SELECT 'release', masecon.mas_release('tap-rs-other', :'other_id')::text;
RESET ROLE;
SELECT is((SELECT output FROM tenant_results WHERE name = 'own'), 'PASS',
          'tenant reserves for its customer');
SELECT is((SELECT count(*) FROM masecon.reservations WHERE customer_id = 'tap-rs-t1'), 1::bigint,
          'tenant reservation is stored');
SELECT is((SELECT output FROM tenant_results WHERE name = 'other'), '42501',
          'tenant cannot reserve for others');
SELECT is((SELECT output FROM tenant_results WHERE name = 'release'), 'false',
          'tenant cannot release others'' reservations');

-- With at defaulting to now(), the start of this transaction, the ttl runs
-- from the call, so a late call in a long transaction is not born expired.
SELECT pg_sleep(0.05);
SELECT ok((masecon.mas_reserve('tap-rs-long', NULL, NULL, 0, interval '1 second')).expires_at
              > now() + interval '1 second',
          'default at runs the ttl from the call');

SELECT * FROM finish();
ROLLBACK;

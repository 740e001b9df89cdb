-- Roles and row-level security.  The checks enumerate the tables, views
-- and functions of schema masecon from the system catalogs, so objects
-- that later parts add are checked too.
BEGIN;
SELECT plan(32);

-- Two customers; sec-b's rows must stay invisible to sec-a's roles.
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ('sec-a', 10), ('sec-b', 20);
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out)
VALUES ('sec-a-1', 'sec-a', 'sec-a-wf', 'planner', 'gpt-4o', 1000, 100),
       ('sec-b-1', 'sec-b', 'sec-b-wf', 'planner', 'gpt-4o', 2000, 200);

CREATE ROLE sec_reader;
CREATE ROLE sec_writer;
CREATE ROLE sec_admin;
CREATE ROLE sec_tenant_a;
CREATE ROLE sec_tenant_a_admin;
SELECT masecon.mas_grant_access('sec_reader', 'reader');
SELECT masecon.mas_grant_access('sec_writer', 'writer');
SELECT masecon.mas_grant_access('sec_admin', 'admin');
SELECT masecon.mas_grant_access('sec_tenant_a', 'writer');
SELECT masecon.mas_grant_access('sec_tenant_a_admin', 'admin');
INSERT INTO masecon.tenant_roles (role, customer_id)
VALUES ('sec_tenant_a', 'sec-a'), ('sec_tenant_a_admin', 'sec-a');

-- Results that the roles under test write; pgTAP runs as the superuser.
CREATE TEMPORARY TABLE sec_results (
    phase text NOT NULL,
    role_name text NOT NULL,
    object text NOT NULL,
    output text
);
GRANT ALL ON sec_results TO PUBLIC;

CREATE VIEW pg_temp.tenant_tables AS
SELECT c.oid::regclass AS relation
  FROM pg_catalog.pg_class AS c
  JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'masecon'::regnamespace
   AND c.relkind IN ('r', 'p')
   AND a.attname = 'customer_id'
   AND NOT a.attisdropped;

CREATE VIEW pg_temp.masecon_views AS
SELECT c.oid::regclass AS relation
  FROM pg_catalog.pg_class AS c
 WHERE c.relnamespace = 'masecon'::regnamespace
   AND c.relkind IN ('v', 'm');

-- Functions that only read and need no argument but customer_id: each is
-- called with sec-b's id when it takes one, and with no argument when it
-- can.  Other functions take figures as arguments, not stored rows.
CREATE VIEW pg_temp.reading_calls AS
WITH functions AS (
    SELECT p.oid, p.pronargs, p.pronargdefaults,
           ARRAY(SELECT a.name
                   FROM ROWS FROM (pg_catalog.unnest(p.proargnames), pg_catalog.unnest(p.proargmodes))
                        WITH ORDINALITY AS a(name, mode, position)
                  WHERE COALESCE(a.mode, 'i') IN ('i', 'b', 'v')
                  ORDER BY a.position) AS input_names
      FROM pg_catalog.pg_proc AS p
     WHERE p.pronamespace = 'masecon'::regnamespace
       AND p.prokind = 'f'
       AND p.provolatile IN ('s', 'i')
       AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype, 'void'::regtype)
)
SELECT pg_catalog.format('%s(customer_id => %L)', f.oid::regproc, 'sec-b') AS call
  FROM functions AS f
 WHERE 'customer_id' = ANY (f.input_names)
   AND f.input_names[1 : f.pronargs - f.pronargdefaults] <@ ARRAY['customer_id']
UNION ALL
SELECT pg_catalog.format('%s()', f.oid::regproc)
  FROM functions AS f
 WHERE f.pronargs = f.pronargdefaults;

GRANT SELECT ON pg_temp.tenant_tables, pg_temp.masecon_views, pg_temp.reading_calls TO PUBLIC;

-- Record what a role reads through every view and reading function.
CREATE FUNCTION pg_temp.record_reads(phase text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    object text;
    output text;
BEGIN
    FOR object IN
        SELECT pg_catalog.format('SELECT * FROM %s', v.relation) FROM pg_temp.masecon_views AS v
        UNION ALL
        SELECT 'SELECT * FROM ' || c.call FROM pg_temp.reading_calls AS c
    LOOP
        BEGIN
            EXECUTE pg_catalog.format('SELECT pg_catalog.string_agg(r::text, E''\n'' ORDER BY r::text) FROM (%s) AS r', object)
               INTO output;
        EXCEPTION WHEN OTHERS THEN
            output := 'ERROR ' || SQLSTATE;
        END;
        INSERT INTO pg_temp.sec_results VALUES (phase, current_user, object, output);
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.record_reads(text) TO PUBLIC;

-- Try to read and change sec-b's rows in every tenant table.
CREATE FUNCTION pg_temp.attack_tenant_tables()
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    relation regclass;
    affected bigint;
BEGIN
    FOR relation IN SELECT t.relation FROM pg_temp.tenant_tables AS t LOOP
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s WHERE customer_id <> %L', relation, 'sec-a')
           INTO affected;
        INSERT INTO pg_temp.sec_results VALUES ('read', current_user, relation::text, affected::text);

        BEGIN
            EXECUTE pg_catalog.format('UPDATE %s SET customer_id = customer_id WHERE customer_id = %L', relation, 'sec-b');
            GET DIAGNOSTICS affected = ROW_COUNT;
        EXCEPTION WHEN OTHERS THEN
            affected := 0;
        END;
        INSERT INTO pg_temp.sec_results VALUES ('update', current_user, relation::text, affected::text);

        BEGIN
            EXECUTE pg_catalog.format('DELETE FROM %s WHERE customer_id = %L', relation, 'sec-b');
            GET DIAGNOSTICS affected = ROW_COUNT;
        EXCEPTION WHEN OTHERS THEN
            affected := 0;
        END;
        INSERT INTO pg_temp.sec_results VALUES ('delete', current_user, relation::text, affected::text);

        -- Move the role's own rows to sec-b.
        BEGIN
            EXECUTE pg_catalog.format('UPDATE %s SET customer_id = %L WHERE customer_id = %L', relation, 'sec-b', 'sec-a');
            GET DIAGNOSTICS affected = ROW_COUNT;
        EXCEPTION WHEN OTHERS THEN
            affected := 0;
        END;
        INSERT INTO pg_temp.sec_results VALUES ('move', current_user, relation::text, affected::text);
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.attack_tenant_tables() TO PUBLIC;

-- The schema's security settings.
SELECT is(ARRAY(SELECT t.relation::text FROM pg_temp.tenant_tables AS t
                  JOIN pg_catalog.pg_class AS c ON c.oid = t.relation
                 WHERE NOT c.relrowsecurity
                    OR NOT EXISTS (SELECT FROM pg_catalog.pg_policy AS p WHERE p.polrelid = t.relation)
                 ORDER BY 1),
          '{}'::text[], 'every table with customer_id has row-level security and a policy');
SELECT cmp_ok((SELECT pg_catalog.count(*) FROM pg_temp.tenant_tables), '>=', 4::bigint,
              'the enumeration finds the tenant tables');
SELECT is(ARRAY(SELECT v.relation::text FROM pg_temp.masecon_views AS v
                  JOIN pg_catalog.pg_class AS c ON c.oid = v.relation
                 WHERE c.relkind = 'm'
                    OR NOT COALESCE('security_invoker=true' = ANY (c.reloptions), false)
                 ORDER BY 1),
          '{}'::text[], 'every view runs with the caller''s privileges');
-- A SECURITY DEFINER trigger function runs only on the rows of the
-- statement that fired it, which row-level security has filtered.
-- NOTE: masecon.merge_rollups() is the one other SECURITY DEFINER function:
-- it merges every customer's events, and the count it returns spans them.
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc AS p
                 WHERE p.pronamespace = 'masecon'::regnamespace AND p.prosecdef
                   AND p.prorettype <> 'trigger'::regtype
                   AND p.oid <> 'masecon.merge_rollups(boolean)'::regprocedure
                 ORDER BY 1),
          '{}'::text[], 'no function of masecon but trigger functions and the merge is SECURITY DEFINER');
SELECT cmp_ok((SELECT pg_catalog.count(*) FROM pg_temp.reading_calls), '>=', 2::bigint,
              'the enumeration finds the reading functions');

-- The reader reads every table and view and changes nothing.
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_catalog.pg_class AS c
                 WHERE c.relnamespace = 'masecon'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                   AND NOT pg_catalog.has_table_privilege('sec_reader', c.oid, 'SELECT')
                 ORDER BY 1),
          '{}'::text[], 'reader may read every table and view');
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_catalog.pg_class AS c
                 WHERE c.relnamespace = 'masecon'::regnamespace AND c.relkind IN ('r', 'p')
                   AND pg_catalog.has_table_privilege('sec_reader', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
                 ORDER BY 1),
          '{}'::text[], 'reader may change no table');

-- The writer inserts events and changes neither the catalog nor policies.
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_catalog.pg_class AS c
                 WHERE c.oid IN ('masecon.model_prices'::regclass, 'masecon.model_aliases'::regclass,
                                 'masecon.budget_policies'::regclass, 'masecon.tenant_roles'::regclass)
                   AND pg_catalog.has_table_privilege('sec_writer', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
                 ORDER BY 1),
          '{}'::text[], 'writer may change neither the catalog, nor policies, nor tenant roles');
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_catalog.pg_class AS c
                 WHERE c.relnamespace = 'masecon'::regnamespace AND c.relkind IN ('r', 'p')
                   AND (pg_catalog.has_table_privilege('sec_writer', c.oid, 'UPDATE, DELETE, TRUNCATE')
                        OR (pg_catalog.has_table_privilege('sec_writer', c.oid, 'INSERT')
                            AND c.oid NOT IN ('masecon.execution_events'::regclass, 'masecon.workflows'::regclass,
                                              'masecon.reservations'::regclass)))
                 ORDER BY 1),
          '{}'::text[], 'writer may only insert events, workflows and reservations');

SET ROLE sec_writer;
SELECT pg_temp.record_reads('writer');
INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('sec-writer-1', 'sec-w', 'sec-w-wf', 'gpt-4o', 100, 10);
RESET ROLE;
SELECT is((SELECT execution_cost_total FROM masecon.execution_events WHERE execution_id = 'sec-writer-1'),
          0.00035, 'writer inserts a priced event for a new workflow');
SELECT is(ARRAY(SELECT r.object FROM sec_results AS r WHERE r.phase = 'writer' AND r.output LIKE 'ERROR%' ORDER BY 1),
          '{}'::text[], 'writer may call every reading function and view');

SET ROLE sec_writer;
SELECT throws_ok($$UPDATE masecon.model_prices SET input_usd_per_1m = 1 WHERE model_name = 'gpt-4o'$$,
                 '42501', NULL, 'writer cannot edit the catalog');
SELECT throws_ok($$INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('sec-alias', 'gpt-4o')$$,
                 '42501', NULL, 'writer cannot add an alias');
SELECT throws_ok($$UPDATE masecon.budget_policies SET daily_budget_limit = 1000$$,
                 '42501', NULL, 'writer cannot change a policy');
SELECT throws_ok($$DELETE FROM masecon.execution_events$$,
                 '42501', NULL, 'writer cannot delete events');
SELECT throws_ok($$SELECT masecon.mas_reprice()$$,
                 '42501', NULL, 'writer cannot reprice events');
RESET ROLE;

SET ROLE sec_reader;
SELECT throws_ok($$INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name) VALUES ('sec-a', 'sec-a-wf', 'gpt-4o')$$,
                 '42501', NULL, 'reader cannot insert events');
SELECT pg_temp.record_reads('reader');
RESET ROLE;
SELECT is(ARRAY(SELECT r.object FROM sec_results AS r WHERE r.phase = 'reader' AND r.output LIKE 'ERROR%' ORDER BY 1),
          '{}'::text[], 'reader may call every reading function and view');

SET ROLE sec_admin;
SELECT lives_ok($$UPDATE masecon.model_prices SET input_usd_per_1m = 2.60 WHERE model_name = 'gpt-4o' AND valid_from = '-infinity'$$,
                'admin edits the catalog');
SELECT lives_ok($$INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ('sec-c', 5)$$,
                'admin adds a policy');
RESET ROLE;

-- A tenant reads and changes nothing of another customer, through any
-- table, view or function.
SET ROLE sec_tenant_a;
SELECT pg_temp.record_reads('tenant before');
RESET ROLE;
SET ROLE sec_reader;
SELECT pg_temp.record_reads('unrestricted before');
RESET ROLE;

INSERT INTO masecon.execution_events (execution_id, customer_id, workflow_id, agent_id, model_name, tokens_in, tokens_out, execution_cost_total)
VALUES ('sec-b-2', 'sec-b', 'sec-b-wf', 'critic', 'sec-b-private-model', 500, 50, 7.77),
       ('sec-b-3', 'sec-b', 'sec-b-wf-2', 'planner', 'gpt-4o-mini', 900, 90, NULL);
UPDATE masecon.budget_policies SET daily_budget_limit = 0.0001 WHERE customer_id = 'sec-b';

SET ROLE sec_tenant_a;
SELECT pg_temp.record_reads('tenant after');
RESET ROLE;
SET ROLE sec_reader;
SELECT pg_temp.record_reads('unrestricted after');
RESET ROLE;

SELECT is(ARRAY(SELECT b.object FROM sec_results AS b JOIN sec_results AS a USING (object)
                 WHERE b.phase = 'tenant before' AND a.phase = 'tenant after'
                   AND b.output IS DISTINCT FROM a.output
                 ORDER BY 1),
          '{}'::text[], 'another customer''s new rows change nothing a tenant reads');
SELECT isnt(ARRAY(SELECT b.object FROM sec_results AS b JOIN sec_results AS a USING (object)
                   WHERE b.phase = 'unrestricted before' AND a.phase = 'unrestricted after'
                     AND b.output IS DISTINCT FROM a.output),
            '{}'::text[], 'the same rows change what an unrestricted role reads');
SELECT is(ARRAY(SELECT r.object FROM sec_results AS r WHERE r.phase LIKE 'tenant%' AND r.output LIKE 'ERROR%' ORDER BY 1),
          '{}'::text[], 'a tenant may call every reading function and view');

SET ROLE sec_tenant_a_admin;
SELECT pg_temp.attack_tenant_tables();
RESET ROLE;
SELECT is(ARRAY(SELECT r.phase || ' ' || r.object FROM sec_results AS r
                 WHERE r.role_name = 'sec_tenant_a_admin' AND r.output <> '0'
                 ORDER BY 1),
          '{}'::text[], 'a tenant admin reads, changes and deletes no row of another customer');
SELECT is((SELECT pg_catalog.count(*) FROM masecon.execution_events WHERE customer_id = 'sec-b'), 3::bigint,
          'another customer''s events are all there');
SELECT is((SELECT daily_budget_limit FROM masecon.budget_policies WHERE customer_id = 'sec-b'), 0.0001,
          'another customer''s policy is unchanged');

-- The superuser's insert caches sec-b-wf's owner in this backend, and a
-- rejected statement clears that cache, so the insert comes right before
-- the tenant's.  The tenant must not be given the cached owner.
INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('sec-b-wf', 'gpt-4o');
SET ROLE sec_tenant_a;
SELECT throws_ok($$INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('sec-b-wf', 'gpt-4o')$$,
                 '23503', 'workflow "sec-b-wf" does not exist',
                 'another customer''s workflow does not exist for a tenant');
SELECT throws_ok($$INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name) VALUES ('sec-b', 'sec-b-wf', 'gpt-4o')$$,
                 '42501', NULL, 'a tenant cannot insert an event for another customer');
SELECT throws_ok($$INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name) VALUES ('sec-b', 'sec-new-wf', 'gpt-4o')$$,
                 '42501', NULL, 'a tenant cannot register a workflow for another customer');
SELECT lives_ok($$INSERT INTO masecon.execution_events (workflow_id, model_name) VALUES ('sec-a-wf', 'gpt-4o')$$,
                'a tenant inserts events of its own workflow');
SELECT is(ARRAY(SELECT t.customer_id FROM masecon.tenant_roles AS t ORDER BY 1),
          ARRAY['sec-a'], 'a tenant sees only its own tenant roles');
SELECT throws_ok($$INSERT INTO masecon.tenant_roles (role, customer_id) VALUES ('sec_tenant_a', 'sec-b')$$,
                 '42501', NULL, 'a tenant cannot widen its own restriction');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

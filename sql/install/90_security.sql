-- Row-level security by customer, and the privileges of the reader,
-- writer and admin roles.  This part comes after every other part, so
-- that the loops below see every table and view of the extension.

-- Database roles restricted to some customers.  A role that is a member
-- of a listed role sees only the customers listed for those roles; a role
-- that is a member of none is not restricted.
CREATE TABLE masecon.tenant_roles (
    role regrole NOT NULL,
    customer_id text NOT NULL CHECK (customer_id <> ''),
    PRIMARY KEY (role, customer_id)
);
COMMENT ON TABLE masecon.tenant_roles IS
    'database roles restricted by row-level security to the customers listed for them; members of a listed role inherit its restriction';
SELECT pg_catalog.pg_extension_config_dump('masecon.tenant_roles', '');

-- Every role evaluates the policies, which read this table, so every role
-- may read it, but its own policy shows a role only the rows of roles it
-- is a member of.  Only the table's owner, who bypasses row-level
-- security, changes it: a restricted admin could otherwise lift its own
-- restriction.
GRANT SELECT ON masecon.tenant_roles TO PUBLIC;
ALTER TABLE masecon.tenant_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_roles_own ON masecon.tenant_roles
    USING (pg_catalog.pg_has_role(role, 'MEMBER'));

-- A policy on every table with a customer_id column: workflows, events,
-- budget policies, the spend rollups and whatever earlier parts add.
-- Partitions of the events get none: it applies through their parent, and
-- no role is granted access to a partition itself.  Both
-- subqueries are uncorrelated, so they run once per statement, not once
-- per row.  An upgrade script that adds a tenant table adds the same
-- policy to it.
DO $$
DECLARE
    tenant_table regclass;
BEGIN
    FOR tenant_table IN
        SELECT c.oid::regclass
          FROM pg_catalog.pg_class AS c
          JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid
         WHERE c.relnamespace = 'masecon'::regnamespace
           AND c.relkind IN ('r', 'p')
           AND NOT c.relispartition
           AND a.attname = 'customer_id'
           AND NOT a.attisdropped
           AND c.oid <> 'masecon.tenant_roles'::regclass
         ORDER BY c.relname
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tenant_table);
        EXECUTE pg_catalog.format(
            'CREATE POLICY tenant_isolation ON %s USING ('
            '    NOT EXISTS (SELECT FROM masecon.tenant_roles AS t'
            '                 WHERE pg_catalog.pg_has_role(t.role, ''MEMBER''))'
            '    OR customer_id IN (SELECT t.customer_id FROM masecon.tenant_roles AS t'
            '                        WHERE pg_catalog.pg_has_role(t.role, ''MEMBER'')))',
            tenant_table);
    END LOOP;
END
$$;

-- Views run with the privileges and row-level security of the caller.
-- NOTE: security_invoker needs PostgreSQL 15; on 13 and 14 the views
-- run as their owner and row-level security does not apply through them.
DO $$
DECLARE
    view_name regclass;
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer < 150000 THEN
        RETURN;
    END IF;
    FOR view_name IN
        SELECT c.oid::regclass
          FROM pg_catalog.pg_class AS c
         WHERE c.relnamespace = 'masecon'::regnamespace
           AND c.relkind = 'v'
         ORDER BY c.relname
    LOOP
        EXECUTE pg_catalog.format('ALTER VIEW %s SET (security_invoker = true)', view_name);
    END LOOP;
END
$$;

-- The privileges follow from the catalogs, so that objects of later parts
-- are covered: user data are the tables that pg_dump saves (registered
-- with pg_extension_config_dump); every other table holds derived state,
-- which only SECURITY DEFINER trigger functions and the merge change.
CREATE FUNCTION masecon.mas_grant_access(role regrole, access text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    user_tables oid[] := (SELECT x.extconfig FROM pg_catalog.pg_extension AS x
                           WHERE x.extname = 'masecon');
    relation regclass;
    relation_kind "char";
BEGIN
    IF access IS NULL OR access NOT IN ('reader', 'writer', 'admin') THEN
        RAISE EXCEPTION 'invalid access "%" for role %', access, role
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use reader, writer or admin.';
    END IF;

    EXECUTE format('GRANT USAGE ON SCHEMA masecon TO %s', role);
    FOR relation, relation_kind IN
        SELECT c.oid::regclass, c.relkind
          FROM pg_catalog.pg_class AS c
         WHERE c.relnamespace = 'masecon'::regnamespace
           AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
           AND NOT c.relispartition
         ORDER BY c.relname
    LOOP
        IF relation_kind = 'S' THEN
            -- Identity sequences of the tables an admin inserts into.
            IF access = 'admin' THEN
                EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %s', relation, role);
            END IF;
            CONTINUE;
        END IF;

        -- Views read the tables behind them with the caller's privileges,
        -- so every role reads every table.
        EXECUTE format('GRANT SELECT ON %s TO %s', relation, role);

        IF access = 'writer'
           AND relation IN ('masecon.execution_events'::regclass, 'masecon.workflows'::regclass) THEN
            -- An event registers its workflow.
            EXECUTE format('GRANT INSERT ON %s TO %s', relation, role);
        ELSIF access = 'writer' AND relation = 'masecon.reservations'::regclass THEN
            -- masecon.mas_reserve inserts reservations and masecon.mas_release
            -- sets released_at.
            EXECUTE format('GRANT INSERT, UPDATE (released_at) ON %s TO %s', relation, role);
        ELSIF access = 'admin' AND relation::oid = ANY (user_tables)
              AND relation <> 'masecon.tenant_roles'::regclass THEN
            EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %s TO %s', relation, role);
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION masecon.mas_grant_access(regrole, text) IS
    'grants a role the privileges of a reader (read every table and view), writer (also insert events and make and release reservations) or admin (also change the catalog, policies, workflows and events) on every object of masecon';

CREATE FUNCTION masecon.mas_revoke_access(role regrole)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    relation regclass;
    relation_kind "char";
BEGIN
    FOR relation, relation_kind IN
        SELECT c.oid::regclass, c.relkind
          FROM pg_catalog.pg_class AS c
         WHERE c.relnamespace = 'masecon'::regnamespace
           AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
         ORDER BY c.relname
    LOOP
        IF relation_kind = 'S' THEN
            EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM %s', relation, role);
        ELSE
            EXECUTE format('REVOKE ALL ON %s FROM %s', relation, role);
        END IF;
    END LOOP;
    EXECUTE format('REVOKE ALL ON SCHEMA masecon FROM %s', role);
END
$$;
COMMENT ON FUNCTION masecon.mas_revoke_access(regrole) IS
    'revokes what masecon.mas_grant_access granted a role';

REVOKE EXECUTE ON FUNCTION masecon.mas_grant_access(regrole, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION masecon.mas_revoke_access(regrole) FROM PUBLIC;

#!/bin/sh
# Safe to install and use while an untrusted role has CREATE on public: a
# database owner plants functions, aggregates and operators in public
# that shadow built-ins and record each call, and puts public before
# pg_catalog in the database's search_path.  A superuser then installs
# masecon there and uses it; nothing planted may run.
set -eu

db=masecon_search_path
owner=masecon_planter
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; psql -X -q -d postgres -c "DROP ROLE IF EXISTS $owner" >/dev/null 2>&1 || true' EXIT

dropdb --if-exists "$db"
psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL
DROP ROLE IF EXISTS $owner;
CREATE ROLE $owner LOGIN PASSWORD 'planter';
CREATE DATABASE $db OWNER $owner;
SQL

# The planted objects, created by the owner (not a superuser).
PGUSER=$owner PGPASSWORD=planter psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE TABLE public.planted_calls (name text, called_at timestamptz DEFAULT pg_catalog.clock_timestamp());
GRANT ALL ON public.planted_calls TO PUBLIC;

CREATE FUNCTION public.record_call(name text) RETURNS void
LANGUAGE sql AS $$ INSERT INTO public.planted_calls (name) VALUES (name) $$;

CREATE FUNCTION public.lower(value text) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('lower'); RETURN pg_catalog.lower(value); END $$;
CREATE FUNCTION public.btrim(value text) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('btrim'); RETURN pg_catalog.btrim(value); END $$;
CREATE FUNCTION public.length(value text) RETURNS integer LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('length'); RETURN pg_catalog.length(value); END $$;
CREATE FUNCTION public.left(value text, n integer) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('left'); RETURN pg_catalog.left(value, n); END $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('now'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION public.gen_random_uuid() RETURNS uuid LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('gen_random_uuid'); RETURN pg_catalog.gen_random_uuid(); END $$;
CREATE FUNCTION public.format(fmt text, VARIADIC args text[]) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('format'); RETURN pg_catalog.format(fmt, VARIADIC args); END $$;
CREATE FUNCTION public.current_setting(name text, missing_ok boolean) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('current_setting'); RETURN pg_catalog.current_setting(name, missing_ok); END $$;
CREATE FUNCTION public.trim_scale(value numeric) RETURNS numeric LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('trim_scale'); RETURN pg_catalog.trim_scale(value); END $$;

-- Aggregates that shadow count, sum, min and max.
CREATE FUNCTION public.counting_step(state bigint) RETURNS bigint LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('count(*)'); RETURN state + 1; END $$;
CREATE AGGREGATE public.count(*) (SFUNC = public.counting_step, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION public.counting_text_step(state bigint, value text) RETURNS bigint LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('count(text)'); RETURN state + 1; END $$;
CREATE AGGREGATE public.count(text) (SFUNC = public.counting_text_step, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION public.summing_step(state numeric, value numeric) RETURNS numeric LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('sum'); RETURN COALESCE(state, 0) + value; END $$;
CREATE AGGREGATE public.sum(numeric) (SFUNC = public.summing_step, STYPE = numeric);
CREATE FUNCTION public.max_step(state timestamptz, value timestamptz) RETURNS timestamptz LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('max'); RETURN GREATEST(state, value); END $$;
CREATE AGGREGATE public.max(timestamptz) (SFUNC = public.max_step, STYPE = timestamptz);
CREATE AGGREGATE public.min(timestamptz) (SFUNC = public.max_step, STYPE = timestamptz);

-- Operators that shadow = and <> on text and numeric, and < and >= on
-- timestamptz.
CREATE FUNCTION public.text_equal(a text, b text) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('text ='); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.text_equal);
CREATE FUNCTION public.text_unequal(a text, b text) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('text <>'); RETURN a OPERATOR(pg_catalog.<>) b; END $$;
CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.text_unequal);
CREATE FUNCTION public.numeric_equal(a numeric, b numeric) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('numeric ='); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR public.= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.numeric_equal);
CREATE FUNCTION public.numeric_unequal(a numeric, b numeric) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('numeric <>'); RETURN a OPERATOR(pg_catalog.<>) b; END $$;
CREATE OPERATOR public.<> (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.numeric_unequal);
CREATE FUNCTION public.time_before(a timestamptz, b timestamptz) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('timestamptz <'); RETURN a OPERATOR(pg_catalog.<) b; END $$;
CREATE OPERATOR public.< (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.time_before);
CREATE FUNCTION public.time_not_before(a timestamptz, b timestamptz) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.record_call('timestamptz >='); RETURN a OPERATOR(pg_catalog.>=) b; END $$;
CREATE OPERATOR public.>= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.time_not_before);

-- Every session of this database now looks in public first.
ALTER DATABASE masecon_search_path SET search_path = public, pg_catalog;
SQL

# The superuser installs and uses masecon: inserts that register
# workflows and fill customer_id, catalog edits, the simulator, health,
# repricing, verification, the grant function, every view and every
# function that needs no argument.  The statements of this script
# qualify their own operators and functions, so that only masecon's could
# reach the planted ones.
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
SHOW search_path;
CREATE EXTENSION masecon;
INSERT INTO masecon.model_prices (model_name, provider, input_usd_per_1m, output_usd_per_1m, valid_from)
VALUES ('planted-model', 'acme-ai', 1.00, 2.00, '2026-01-01 00:00+00');
UPDATE masecon.model_prices SET output_usd_per_1m = 10.50 WHERE model_name OPERATOR(pg_catalog.=) 'gpt-4o';
INSERT INTO masecon.model_aliases (alias, model_name) VALUES ('planted-alias', 'planted-model');
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ('sp-a', 10);
INSERT INTO masecon.execution_events (customer_id, workflow_id, agent_id, model_name, tokens_in, cached_tokens_in, tokens_out)
VALUES ('sp-a', 'sp-wf', 'planner', 'GPT-4o-2024-08-06', 2006, 1920, 300),
       (NULL, 'sp-wf', 'writer', 'openai/planted-alias', 100, 0, 10),
       ('sp-a', 'sp-wf', 'writer', 'mystery', 100, 0, 10);
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, tokens_out, execution_cost_total)
VALUES ('sp-wf', 'reported-model', 1, 1, 0.5);
UPDATE masecon.execution_events SET tokens_out = 11 WHERE model_name OPERATOR(pg_catalog.=) 'mystery';
-- A new backend has no cached workflow owners, so these look the
-- workflows up in a table that is no longer empty.
\connect
INSERT INTO masecon.execution_events (workflow_id, model_name, tokens_in, tokens_out)
VALUES ('sp-wf', 'gpt-4o', 100, 10);
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tokens_in, tokens_out)
VALUES ('sp-a', 'sp-wf-2', 'gpt-4o', 100, 10);
SELECT masecon.mas_reprice();
SELECT * FROM masecon.mas_workflow_cost(4, 12, 3000, 800, 'gpt-4o', 1, 0.002, 50);
SELECT * FROM masecon.mas_workflow_cost(3, 5, 1000, 'claude-3-opus');
SELECT masecon.mas_resolve_model('us.anthropic.claude-3-haiku-20240307-v1:0');
SELECT * FROM masecon.event_price('gpt-4o', pg_catalog.now(), 10, 10);
SELECT masecon.merge_rollups();
SELECT * FROM masecon.daily_spend('sp-a', '2026-01-01', '2030-01-01');
SELECT * FROM masecon.key_spend('sp-a', 'sp-wf');
SELECT * FROM masecon.window_spend(NULL, '-infinity', 'infinity');
DELETE FROM masecon.execution_events WHERE model_name OPERATOR(pg_catalog.=) 'reported-model';
UPDATE masecon.budget_policies SET time_zone = 'Asia/Kolkata' WHERE customer_id OPERATOR(pg_catalog.=) 'sp-a';
SELECT * FROM masecon.mas_health();
SELECT * FROM masecon.mas_verify();
CREATE ROLE masecon_planted_reader;
SELECT masecon.mas_grant_access('masecon_planted_reader', 'reader');
SELECT masecon.mas_revoke_access('masecon_planted_reader');
DROP ROLE masecon_planted_reader;

DO $$
DECLARE
    object text;
BEGIN
    FOR object IN
        SELECT pg_catalog.format('SELECT * FROM %s', c.oid::regclass)
          FROM pg_catalog.pg_class AS c
         WHERE c.relnamespace = 'masecon'::regnamespace AND c.relkind IN ('v', 'm')
        UNION ALL
        SELECT pg_catalog.format('SELECT * FROM %s()', p.oid::regproc)
          FROM pg_catalog.pg_proc AS p
         WHERE p.pronamespace = 'masecon'::regnamespace
           AND p.prokind = 'f'
           AND p.provolatile IN ('s', 'i')
           AND p.pronargs = p.pronargdefaults
           AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
    LOOP
        RAISE NOTICE '%', object;
        EXECUTE object;
    END LOOP;
END
$$;
SQL

# Functions written in SQL or PL/pgSQL resolve names through their own
# search_path setting; C functions qualify the queries they run.
unpinned=$(psql -X -At -d "$db" -c "
SELECT pg_catalog.string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1)
  FROM pg_catalog.pg_proc AS p
  JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
 WHERE p.pronamespace OPERATOR(pg_catalog.=) 'masecon'::regnamespace
   AND l.lanname OPERATOR(pg_catalog.<>) 'c'
   AND NOT COALESCE(p.proconfig OPERATOR(pg_catalog.@>) ARRAY['search_path=pg_catalog, pg_temp'], false)")
if [ -n "$unpinned" ]; then
	echo "FAIL: functions without SET search_path = pg_catalog, pg_temp: $unpinned"
	exit 1
fi

calls=$(psql -X -At -d "$db" -c "SELECT pg_catalog.string_agg(DISTINCT name, ', ') FROM public.planted_calls")
if [ -n "$calls" ]; then
	echo "FAIL: masecon called planted objects: $calls"
	exit 1
fi
echo "no planted object was called"

-- Period partitions of masecon.execution_events and retention by dropping
-- them, for an installation made with masecon.partition_events set (see
-- 20_events.sql).
--
-- Partitions are named execution_events_pYYYYMMDD after the UTC date they
-- start at.  Monthly periods start on the first of a month, periods of N
-- months every N months from January 2000, and periods of N days every N
-- days from Monday 2000-01-03, all at 00:00 UTC.  Every bound is therefore
-- the start of a 15-minute rollup bucket.
--
-- The partitions that masecon.mas_create_event_partitions makes are not
-- part of the extension, so pg_dump saves their definitions and rows, and
-- the install script makes none of them: a restore recreates them from
-- the dump.  They carry no privileges and no row-level security of their
-- own, because every role reads and writes the events through
-- masecon.execution_events, where both apply.

-- Bounds, in UTC, of the partition period that contains the instant.
CREATE FUNCTION masecon.event_partition_bounds(at timestamptz,
                                               OUT low timestamptz, OUT high timestamptz)
RETURNS record
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    period interval := masecon.event_partition_period();
    months integer := pg_catalog.date_part('year', period) * 12 + pg_catalog.date_part('month', period);
    days integer := pg_catalog.date_part('day', period);
    utc timestamp := at AT TIME ZONE 'UTC';
    start timestamp;
    steps bigint;
BEGIN
    IF period IS NULL THEN
        RAISE EXCEPTION 'masecon.execution_events is not partitioned'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Set masecon.partition_events to a period before CREATE EXTENSION masecon.';
    END IF;
    IF NOT pg_catalog.isfinite(at) THEN
        RAISE EXCEPTION 'invalid instant % for a partition of masecon.execution_events', at
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass a finite timestamp.';
    END IF;

    IF months > 0 THEN
        steps := pg_catalog.floor(((pg_catalog.date_part('year', utc) - 2000) * 12
                                   + pg_catalog.date_part('month', utc) - 1) / months);
        start := '2000-01-01'::timestamp + pg_catalog.make_interval(months => (steps * months)::integer);
    ELSE
        steps := pg_catalog.floor(pg_catalog.date_part('epoch', utc - '2000-01-03'::timestamp) / 86400 / days);
        start := '2000-01-03'::timestamp + pg_catalog.make_interval(days => (steps * days)::integer);
    END IF;
    low := start AT TIME ZONE 'UTC';
    high := (start + period) AT TIME ZONE 'UTC';
END
$$;
COMMENT ON FUNCTION masecon.event_partition_bounds(timestamptz) IS
    'lower (inclusive) and upper (exclusive) bound of the partition of masecon.execution_events that holds events at the instant';

-- Period partitions attached to masecon.execution_events, with their
-- bounds read back from the catalog; the DEFAULT partition is left out.
CREATE FUNCTION masecon.event_partitions(OUT partition regclass, OUT low timestamptz, OUT high timestamptz)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
SELECT p.partition, b.bound[1]::timestamptz, b.bound[2]::timestamptz
  FROM (SELECT i.inhrelid::regclass AS partition,
               pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS expression
          FROM pg_catalog.pg_inherits AS i
          JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'masecon.execution_events'::regclass) AS p,
       LATERAL (SELECT pg_catalog.regexp_match(p.expression,
                    $re$^FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)$$re$) AS bound) AS b
 WHERE b.bound IS NOT NULL
 ORDER BY 2
$fn$;
COMMENT ON FUNCTION masecon.event_partitions() IS
    'period partitions of masecon.execution_events with their bounds, oldest first; the DEFAULT partition is not listed';

/*
 * Create the partition of the period that contains at and of the ahead
 * periods after it, and return those created.  Events of a new partition's
 * period that the DEFAULT partition holds move into it unchanged, so the
 * rollups, which count them already, stay as they are.
 */
CREATE FUNCTION masecon.mas_create_event_partitions(ahead integer DEFAULT 1,
                                                    at timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    period interval := masecon.event_partition_period();
    bounds record;
    name text;
    created regclass;
BEGIN
    IF period IS NULL THEN
        RAISE EXCEPTION 'masecon.execution_events is not partitioned'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Set masecon.partition_events to a period before CREATE EXTENSION masecon.';
    END IF;
    IF ahead IS NULL OR ahead < 0 OR ahead > 1000 THEN
        RAISE EXCEPTION 'invalid ahead % for masecon.mas_create_event_partitions', ahead
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the number of periods after the current one, from 0 to 1000.';
    END IF;

    -- Stops writes into the DEFAULT partition while its rows move, and
    -- makes concurrent calls take turns.
    LOCK TABLE masecon.execution_events_default IN SHARE ROW EXCLUSIVE MODE;

    bounds := masecon.event_partition_bounds(at);
    FOR step IN 0 .. ahead LOOP
        name := 'execution_events_p' || pg_catalog.to_char(bounds.low AT TIME ZONE 'UTC', 'YYYYMMDD');
        IF NOT EXISTS (SELECT FROM masecon.event_partitions() AS p
                        WHERE p.low = bounds.low AND p.high = bounds.high) THEN
            EXECUTE pg_catalog.format(
                'CREATE TABLE masecon.%I (LIKE masecon.execution_events INCLUDING DEFAULTS)', name);
            created := pg_catalog.format('masecon.%I', name)::regclass;
            EXECUTE pg_catalog.format($sql$
                WITH moved AS (
                    DELETE FROM ONLY masecon.execution_events_default AS d
                     WHERE d."timestamp" >= %L AND d."timestamp" < %L
                    RETURNING d.*)
                INSERT INTO %s SELECT * FROM moved
            $sql$, bounds.low, bounds.high, created);
            EXECUTE pg_catalog.format(
                'ALTER TABLE masecon.execution_events ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)',
                created, bounds.low, bounds.high);
            EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', created,
                pg_catalog.format('events from %s to %s UTC, a partition of masecon.execution_events',
                                  bounds.low AT TIME ZONE 'UTC', bounds.high AT TIME ZONE 'UTC'));
            RETURN NEXT created;
        END IF;
        bounds := masecon.event_partition_bounds(bounds.high);
    END LOOP;
END
$$;
COMMENT ON FUNCTION masecon.mas_create_event_partitions(integer, timestamptz) IS
    'creates the partitions of masecon.execution_events for the period that contains the instant and the given number of periods after it; returns those it created';

/*
 * Drop every period partition whose upper bound is at or before older_than,
 * and take its merged events out of the rollups, as a DELETE of them would.
 * The rollup watermark stays locked from the subtraction to the commit, so
 * no merge can count an event of a dropped partition in between.  Events of
 * a partition that are not merged yet are not in the rollups, and go with
 * it.  The partitions are detached and dropped after the subtraction, so
 * the ACCESS EXCLUSIVE lock on masecon.execution_events that DETACH takes
 * is held for the detach, the drop and the commit only.
 *
 * NOTE: an UPDATE or DELETE of events that runs at the same time holds its
 * lock on the table while its trigger waits for the watermark, so one of
 * the two is rolled back with a deadlock error; rerun it.
 */
CREATE FUNCTION masecon.mas_drop_event_partitions(older_than timestamptz,
                                                  OUT partition_name text, OUT events bigint)
RETURNS SETOF record
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    watermark bigint;
    old_partition regclass;
    dropped regclass[] := '{}';
BEGIN
    IF masecon.event_partition_period() IS NULL THEN
        RAISE EXCEPTION 'masecon.execution_events is not partitioned'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Set masecon.partition_events to a period before CREATE EXTENSION masecon, or delete old events with DELETE.';
    END IF;
    IF older_than IS NULL THEN
        RAISE EXCEPTION 'null value for older_than of masecon.mas_drop_event_partitions'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the instant before which whole partitions are dropped.';
    END IF;

    SELECT s.merged_below INTO watermark FROM masecon.rollup_state AS s FOR UPDATE;

    FOR old_partition IN
        SELECT p.partition FROM masecon.event_partitions() AS p WHERE p.high <= older_than
    LOOP
        partition_name := old_partition::text;
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', old_partition) INTO events;
        EXECUTE masecon.rollup_delta_sql(pg_catalog.format($sql$
            SELECT e.customer_id, e.workflow_id, coalesce(e.agent_id, '') AS agent_id,
                   e.model_name, e."timestamp", e.execution_cost_total AS cost,
                   e.tokens_in, e.tokens_out, e.price_status = 'unpriced' AS unpriced
              FROM %s AS e
             WHERE e.ingest_xid < %s
        $sql$, old_partition, watermark), -1);
        dropped := dropped || old_partition;
        RETURN NEXT;
    END LOOP;

    IF pg_catalog.cardinality(dropped) = 0 THEN
        RETURN;
    END IF;

    -- Rows left at zero by the subtraction count as absent; removing them
    -- keeps the rollups from growing with the history that was dropped.
    DELETE FROM masecon.spend_buckets AS b
     WHERE b.executions = 0 AND b.cost = 0 AND b.tokens_in = 0 AND b.tokens_out = 0
       AND b.unpriced_events = 0;
    DELETE FROM masecon.spend_days AS d
     WHERE d.executions = 0 AND d.cost = 0 AND d.tokens_in = 0 AND d.tokens_out = 0
       AND d.unpriced_events = 0;
    DELETE FROM masecon.spend_keys AS k
     WHERE k.executions = 0 AND k.cost = 0 AND k.tokens_in = 0 AND k.tokens_out = 0;

    -- DROP fires no DELETE trigger, so the signals count their day again,
    -- as after a DELETE of events.
    UPDATE masecon.signal_state AS s SET counted_below = NULL WHERE s.counted_below IS NOT NULL;

    FOREACH old_partition IN ARRAY dropped LOOP
        EXECUTE pg_catalog.format('ALTER TABLE masecon.execution_events DETACH PARTITION %s', old_partition);
        EXECUTE pg_catalog.format('DROP TABLE %s', old_partition);
    END LOOP;
END
$$;
COMMENT ON FUNCTION masecon.mas_drop_event_partitions(timestamptz) IS
    'drops the partitions of masecon.execution_events whose events are all older than the instant, taking their spend out of the rollups; returns each partition with its event count';

REVOKE EXECUTE ON FUNCTION masecon.mas_create_event_partitions(integer, timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION masecon.mas_drop_event_partitions(timestamptz) FROM PUBLIC;

-- A partitioned install starts with the partitions of the current and the
-- next period.  They are taken out of the extension, like those the
-- function makes later, so that pg_dump saves them.  A restore, which runs
-- with session_replication_role = replica (README, "Operations"), gets
-- its partitions from the dump instead, and making them here would
-- collide with those.
DO $$
DECLARE
    created regclass;
BEGIN
    IF masecon.event_partition_period() IS NULL
       OR pg_catalog.current_setting('session_replication_role') = 'replica' THEN
        RETURN;
    END IF;
    FOR created IN SELECT masecon.mas_create_event_partitions(1) LOOP
        EXECUTE pg_catalog.format('ALTER EXTENSION masecon DROP TABLE %s', created);
    END LOOP;
END
$$;

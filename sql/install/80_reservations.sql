-- Reservations: budget enforcement that holds when many agents ask at once.
--
-- masecon.mas_evaluate_guardrail evaluates each call on the spend stored
-- so far, so agents that ask at the same moment all see the same spend and
-- may together overshoot the budget.  masecon.mas_reserve evaluates the
-- guardrail and records the estimated cost of the step as a reservation
-- while it holds a per-customer lock, so the next caller for that customer
-- counts it.  An open reservation counts as spend until an event that
-- carries its reservation_id is stored (the event's real cost counts
-- instead), it is released, or it expires.  Settlement is read-side: the
-- insert path never reads or locks a reservation.

CREATE TABLE masecon.reservations (
    customer_id text NOT NULL CHECK (customer_id <> ''),
    reservation_id text NOT NULL DEFAULT (pg_catalog.gen_random_uuid())::text,
    workflow_id text CHECK (workflow_id <> ''),
    agent_id text CHECK (agent_id <> ''),
    estimated_cost numeric NOT NULL CHECK (estimated_cost >= 0),
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    expires_at timestamptz NOT NULL,
    released_at timestamptz,
    PRIMARY KEY (customer_id, reservation_id),
    CHECK (expires_at > created_at)
);
COMMENT ON TABLE masecon.reservations IS
    'estimated cost of a step that masecon.mas_reserve admitted; open until an event carries its reservation_id, it is released, or it expires';
COMMENT ON COLUMN masecon.reservations.created_at IS
    'the instant at of the masecon.mas_reserve call that made the reservation';
COMMENT ON COLUMN masecon.reservations.expires_at IS
    'instant from which the reservation stops counting as spend: created_at plus the ttl, or the time of the call plus the ttl when at was now()';
COMMENT ON COLUMN masecon.reservations.released_at IS
    'when masecon.mas_release cancelled the reservation; NULL while not released';

-- Open reservations are the unreleased ones that have not expired, so the
-- look-up reads only the reservations of the last ttl, however long the
-- history.
CREATE INDEX reservations_unreleased_idx
    ON masecon.reservations (customer_id, expires_at)
    WHERE released_at IS NULL;

SELECT pg_catalog.pg_extension_config_dump('masecon.reservations', '');

CREATE TYPE masecon.reservation_result AS (
    signal masecon.guardrail_signal,
    reasons text[],
    daily_spend numeric,
    daily_budget numeric,
    workflow_spend numeric,
    workflow_budget numeric,
    agent_steps bigint,
    step_limit integer,
    proposed_cost numeric,
    warn_threshold numeric,
    unpriced_models text[],
    reserved_spend numeric,
    workflow_reserved_spend numeric,
    reservation_id text,
    expires_at timestamptz
);
COMMENT ON TYPE masecon.reservation_result IS
    'result of masecon.mas_reserve: the guardrail result for the estimated cost, with the reservation_id and expiry of the new reservation (both NULL when the signal is BLOCK)';

-- Spend reserved by a customer's open reservations at an instant: those
-- not released, not expired at at, and not settled by a stored event.
CREATE FUNCTION masecon.reserved_spend(
    customer_id text,
    at timestamptz,
    workflow_id text DEFAULT NULL,
    OUT spend numeric,
    OUT workflow_spend numeric,
    OUT reservations bigint)
RETURNS record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
SELECT COALESCE(pg_catalog.sum(r.estimated_cost), 0),
       CASE WHEN reserved_spend.workflow_id IS NOT NULL
            THEN COALESCE(pg_catalog.sum(r.estimated_cost)
                              FILTER (WHERE r.workflow_id = reserved_spend.workflow_id), 0)
       END,
       pg_catalog.count(*)
  FROM masecon.reservations AS r
 WHERE r.customer_id = reserved_spend.customer_id
   AND r.released_at IS NULL
   AND r.expires_at > reserved_spend.at
   AND NOT EXISTS (SELECT
                     FROM masecon.execution_events AS e
                    WHERE e.customer_id = r.customer_id
                      AND e.reservation_id = r.reservation_id)
$$;
COMMENT ON FUNCTION masecon.reserved_spend(text, timestamptz, text) IS
    'estimated cost of the customer''s reservations open at at, of those of workflow_id (NULL when workflow_id is NULL), and how many are open';

CREATE FUNCTION masecon.mas_reserve(
    customer_id text,
    workflow_id text,
    agent_id text,
    estimated_cost numeric,
    ttl interval DEFAULT '5 minutes',
    at timestamptz DEFAULT pg_catalog.now())
RETURNS masecon.reservation_result
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- First key of the advisory lock, 0x6d617372 ("masr").  The second key
    -- is a hash of customer_id, so a collision only makes two customers
    -- wait on each other.
    lock_class CONSTANT integer := 1835103090;
    guardrail masecon.guardrail_result;
    new_id text;
    new_expiry timestamptz;
    result masecon.reservation_result;
BEGIN
    IF mas_reserve.customer_id IS NULL OR mas_reserve.customer_id = '' THEN
        RAISE EXCEPTION 'customer_id must not be null or empty'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the id of the customer whose budget the step spends.';
    END IF;
    IF mas_reserve.workflow_id = '' THEN
        RAISE EXCEPTION 'workflow_id must not be empty'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the workflow run the step belongs to, or NULL for none.';
    END IF;
    IF mas_reserve.agent_id = '' THEN
        RAISE EXCEPTION 'agent_id must not be empty'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the agent that takes the step, or NULL for none.';
    END IF;
    IF mas_reserve.estimated_cost IS NULL THEN
        RAISE EXCEPTION 'estimated_cost must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the estimated cost of the step in USD, such as a masecon.mas_workflow_cost figure.';
    END IF;
    -- Comparing the text form catches NaN, and infinity on PostgreSQL 14
    -- and later, without an 'Infinity' literal that PostgreSQL 13 rejects.
    IF mas_reserve.estimated_cost::text IN ('NaN', 'Infinity', '-Infinity') THEN
        RAISE EXCEPTION 'estimated_cost must be a finite amount, got %', mas_reserve.estimated_cost
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the estimated cost of the step in USD.';
    END IF;
    IF mas_reserve.estimated_cost < 0 THEN
        RAISE EXCEPTION 'estimated_cost must not be negative, got %', mas_reserve.estimated_cost
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the estimated cost of the step in USD, 0 or more.';
    END IF;
    IF mas_reserve.ttl IS NULL OR mas_reserve.ttl <= interval '0' THEN
        RAISE EXCEPTION 'ttl must be a positive interval, got %', COALESCE(mas_reserve.ttl::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass how long the step may take before its reservation lapses, such as interval ''5 minutes''.';
    END IF;
    IF mas_reserve.at IS NULL OR NOT pg_catalog.isfinite(mas_reserve.at) THEN
        RAISE EXCEPTION 'at must be a finite timestamp, got %', COALESCE(mas_reserve.at::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Omit at to reserve now.';
    END IF;
    -- Under REPEATABLE READ or SERIALIZABLE the whole transaction reads one
    -- snapshot, taken before the lock, so the evaluation would miss the
    -- reservations committed while this call waited.
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'masecon.mas_reserve must run at isolation level READ COMMITTED, not %',
                        pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))
            USING ERRCODE = 'invalid_transaction_state',
                  HINT = 'Call it outside an explicit transaction, or in one started with BEGIN ISOLATION LEVEL READ COMMITTED.';
    END IF;

    -- Serialize the reservations of one customer.  The lock is held to the
    -- end of the transaction, and the next statement takes a new snapshot,
    -- so the evaluation counts the reservation of the previous holder.
    PERFORM pg_catalog.pg_advisory_xact_lock(lock_class, pg_catalog.hashtext(mas_reserve.customer_id));

    guardrail := masecon.mas_evaluate_guardrail(mas_reserve.customer_id, mas_reserve.workflow_id,
                                                mas_reserve.agent_id, mas_reserve.estimated_cost,
                                                mas_reserve.at);

    -- at defaults to now(), the start of the transaction.  The ttl of such
    -- a call runs from the current time, so that a reservation made late in
    -- a long transaction has not expired when it is made.
    IF guardrail.signal <> 'BLOCK' THEN
        INSERT INTO masecon.reservations AS r
               (customer_id, workflow_id, agent_id, estimated_cost, created_at, expires_at)
        VALUES (mas_reserve.customer_id, mas_reserve.workflow_id, mas_reserve.agent_id,
                mas_reserve.estimated_cost, mas_reserve.at,
                CASE WHEN mas_reserve.at = pg_catalog.now() THEN pg_catalog.clock_timestamp()
                     ELSE mas_reserve.at
                END + mas_reserve.ttl)
        RETURNING r.reservation_id, r.expires_at INTO new_id, new_expiry;
    END IF;

    SELECT (guardrail).*, new_id, new_expiry INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION masecon.mas_reserve(text, text, text, numeric, interval, timestamptz) IS
    'evaluates the guardrail for a step of estimated_cost with the customer''s open reservations counted as spend and, unless the signal is BLOCK, reserves estimated_cost until at + ttl; calls for one customer run one at a time';

CREATE FUNCTION masecon.mas_release(customer_id text, reservation_id text)
RETURNS boolean
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
WITH released AS (
    UPDATE masecon.reservations AS r
       SET released_at = pg_catalog.now()
     WHERE r.customer_id = mas_release.customer_id
       AND r.reservation_id = mas_release.reservation_id
       AND r.released_at IS NULL
       AND NOT EXISTS (SELECT
                         FROM masecon.execution_events AS e
                        WHERE e.customer_id = r.customer_id
                          AND e.reservation_id = r.reservation_id)
    RETURNING 1)
SELECT EXISTS (SELECT FROM released)
$$;
COMMENT ON FUNCTION masecon.mas_release(text, text) IS
    'cancels a reservation, so that it stops counting as spend; returns false when it is unknown, already released or settled by an event';

-- The state of every reservation, for operators: an event that carries the
-- id settles it whether it arrived before or after the expiry.
CREATE VIEW masecon.reservation_status AS
SELECT r.customer_id,
       r.reservation_id,
       r.workflow_id,
       r.agent_id,
       r.estimated_cost,
       CASE
           WHEN pg_catalog.count(e.execution_id) > 0 THEN 'settled'
           WHEN r.released_at IS NOT NULL THEN 'released'
           WHEN r.expires_at <= pg_catalog.now() THEN 'expired'
           ELSE 'open'
       END AS state,
       pg_catalog.sum(e.execution_cost_total) AS settled_cost,
       pg_catalog.count(e.execution_id) AS settled_events,
       r.created_at,
       r.expires_at,
       r.released_at
  FROM masecon.reservations AS r
  LEFT JOIN masecon.execution_events AS e
         ON e.customer_id = r.customer_id AND e.reservation_id = r.reservation_id
 GROUP BY r.customer_id, r.reservation_id;
COMMENT ON VIEW masecon.reservation_status IS
    'every reservation with its state now (open, settled, released, expired) and the cost of the events that settled it';

CREATE FUNCTION masecon.mas_prune_reservations(
    expired_before timestamptz DEFAULT pg_catalog.now() - interval '7 days')
RETURNS bigint
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
WITH pruned AS (
    DELETE FROM masecon.reservations AS r
     WHERE r.expires_at < mas_prune_reservations.expired_before
    RETURNING 1)
SELECT pg_catalog.count(*) FROM pruned
$$;
COMMENT ON FUNCTION masecon.mas_prune_reservations(timestamptz) IS
    'deletes the reservations that expired before expired_before, which no longer count as spend in any state, and returns how many';

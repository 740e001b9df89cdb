#!/bin/sh
# Reservations with real concurrent clients: five clients that reserve at
# the same moment, the per-customer lock and what does not wait on it, and
# a timed mix of reservations, settlements, releases and plain inserts run
# by pgbench.
set -eu

db=masecon_reservations
work=$(mktemp -d)
pids=""
cleanup() {
	for pid in $pids; do
		kill "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
}
trap cleanup EXIT

failures=0
check() {
	if [ "$2" = "$3" ]; then
		echo "ok - $1"
	else
		echo "not ok - $1: expected '$3', got '$2'"
		failures=$((failures + 1))
	fi
}

run_sql() {
	timeout 60 psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"
}

# Waits until the query returns t, for at most 20 seconds.
wait_for() {
	tries=0
	until [ "$(run_sql -c "$1")" = t ]; do
		tries=$((tries + 1))
		if [ "$tries" -ge 400 ]; then
			echo "not ok - timed out waiting for: $1"
			exit 1
		fi
		sleep 0.05
	done
}

dropdb --if-exists "$db" >/dev/null
createdb "$db"
run_sql -c 'CREATE EXTENSION masecon'

# A time zone whose local time is about noon now, so that no run of this
# test crosses the end of the budget day.  Etc/GMT+N is N hours behind UTC.
behind=$(($(date -u +%k) - 12))
if [ "$behind" -ge 0 ]; then
	zone="Etc/GMT+$behind"
else
	zone="Etc/GMT$behind"
fi

# --- Five simultaneous reservations -----------------------------------------

run_sql <<SQL
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone)
VALUES ('burst', 10.00, '$zone');
INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, tool_cost_total)
VALUES ('burst', 'burst-0', 'gpt-4o', 9.90);
SQL

# The gate is an advisory lock the holder keeps in exclusive mode until all
# five clients wait for it in shared mode; releasing it wakes them together.
gate="4242, 1"
waiting="SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 4242 AND objid = 1 AND objsubid = 2"
run_sql -c "SELECT pg_advisory_lock($gate)" -c "DO \$\$
BEGIN
    FOR i IN 1..2000 LOOP
        EXIT WHEN ($waiting AND NOT granted) >= 5;
        PERFORM pg_sleep(0.01);
    END LOOP;
END
\$\$" -c "SELECT pg_advisory_unlock($gate)" >/dev/null &
holder=$!
pids="$holder"
wait_for "SELECT ($waiting AND granted) = 1"

client_pids=""
for n in 1 2 3 4 5; do
	run_sql -c "SELECT pg_advisory_lock_shared($gate)" \
		-c "SELECT signal, reservation_id IS NOT NULL, array_to_string(reasons, '; ')
		      FROM masecon.mas_reserve('burst', 'burst-1', 'agent-$n', 0.05)" \
		>"$work/burst.$n" &
	client_pids="$client_pids $!"
	pids="$pids $!"
done
for pid in $client_pids "$holder"; do
	wait "$pid"
done
pids=""
cat "$work"/burst.* >"$work/burst"

check "two of five simultaneous reservations succeed" \
	"$(grep -c '|t|' "$work/burst")" 2
check "three of five are BLOCK" "$(grep -c '^BLOCK|f|' "$work/burst")" 3
check "every BLOCK names the daily budget" \
	"$(grep '^BLOCK' "$work/burst" | grep -c 'exceeds the daily budget of 10 USD')" 3
check "admitted reservations are WARN" "$(grep -c '^WARN|t|' "$work/burst")" 2
check "two reservations are stored" \
	"$(run_sql -c "SELECT count(*) || ' ' || sum(estimated_cost) FROM masecon.reservations WHERE customer_id = 'burst'")" \
	"2 0.10"
check "the guardrail counts them" \
	"$(run_sql -c "SELECT signal || ' ' || daily_spend || ' ' || reserved_spend FROM masecon.mas_evaluate_guardrail('burst', proposed_cost => 0.01)")" \
	"BLOCK 10.01 0.10"

# --- What waits on the per-customer lock ------------------------------------

run_sql <<SQL
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone)
VALUES ('quiet', 10.00, '$zone');
SQL

# This client holds the lock of burst in an open transaction for 3 seconds.
run_sql -c "SELECT masecon.mas_reserve('burst', NULL, NULL, 0); SELECT pg_sleep(3)" >/dev/null &
pids="$!"
wait_for "SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 1835103090 AND granted"

outcome() {
	if run_sql -c "SET lock_timeout = '1s'" -c "SET statement_timeout = '2s'" -c "$1" >/dev/null 2>"$work/err"; then
		echo done
	else
		echo waited
	fi
}
check "another customer's reservation does not wait" \
	"$(outcome "SELECT masecon.mas_reserve('quiet', NULL, NULL, 1)")" done
check "the same customer's reservation waits" \
	"$(outcome "SELECT masecon.mas_reserve('burst', NULL, NULL, 0)")" waited
check "the wait ends on lock_timeout" \
	"$(grep -c 'canceling statement due to lock timeout' "$work/err")" 1
check "an event insert does not wait" \
	"$(outcome "INSERT INTO masecon.execution_events (customer_id, workflow_id, model_name, reservation_id)
	             VALUES ('burst', 'burst-2', 'gpt-4o', 'not-committed-yet')")" done
check "a release does not wait" \
	"$(outcome "SELECT masecon.mas_release('burst', (SELECT min(reservation_id) FROM masecon.reservations WHERE customer_id = 'burst'))")" done
wait
pids=""

# --- A timed mix ------------------------------------------------------------

# mix has a daily budget of 1.00 and estimates of 0.001 to 0.050.  Steps
# settle at a real cost at most their estimate, at once, so no settlement
# arrives after its reservation expired.  Then every admission kept settled
# plus reserved spend within the budget, and plain inserts, which are
# telemetry without a reservation, cannot change that sum.
run_sql <<SQL
INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit, time_zone)
VALUES ('mix', 1.00, '$zone');
CREATE TABLE mix_log (signal masecon.guardrail_signal, reservation_id text, reasons integer);
CREATE TABLE mix_excess (at timestamptz, settled numeric, reserved numeric);
-- Spend of the events that settled a reservation of mix.
CREATE FUNCTION mix_settled() RETURNS numeric LANGUAGE sql STABLE AS \$\$
    SELECT COALESCE(sum(e.execution_cost_total), 0)
      FROM masecon.execution_events AS e
      JOIN masecon.reservations AS r
        ON r.customer_id = e.customer_id AND r.reservation_id = e.reservation_id
     WHERE e.customer_id = 'mix'
\$\$;
SQL

# Reserves :estimate thousandths of a USD for the ttl $1, logs the outcome,
# and sets :id to the quoted reservation_id (NULL when blocked).
reserve_sql() {
	cat <<SQL
\\set estimate random(1, 50)
WITH r AS (SELECT * FROM masecon.mas_reserve('mix', 'mix-wf', 'agent', :estimate * 0.001, $1)),
     logged AS (INSERT INTO mix_log SELECT r.signal, r.reservation_id, cardinality(r.reasons) FROM r)
SELECT COALESCE(quote_literal(r.reservation_id), 'NULL') AS id, (r.reservation_id IS NULL)::int AS blocked
  FROM r \\gset
SQL
}

{
	reserve_sql "interval '5 minutes'"
	printf '%s\n' '\set real random(0, :estimate)'
	printf '%s\n' '\if :blocked'
	printf '%s\n' '\else'
	printf '%s\n' "INSERT INTO masecon.execution_events (customer_id, workflow_id, agent_id, model_name, tool_cost_total, reservation_id) VALUES ('mix', 'mix-wf', 'agent', 'gpt-4o', :real * 0.001, :id);"
	printf '%s\n' '\endif'
} >"$work/settle.sql"
{
	reserve_sql "interval '5 minutes'"
	printf '%s\n' "SELECT masecon.mas_release('mix', :id);"
} >"$work/release.sql"
reserve_sql "interval '200 milliseconds'" >"$work/expire.sql"
{
	printf '%s\n' '\set cost random(1, 20)'
	printf '%s\n' "INSERT INTO masecon.execution_events (customer_id, workflow_id, agent_id, model_name, tool_cost_total) VALUES ('mix', 'mix-plain', 'logger', 'gpt-4o', :cost * 0.001);"
} >"$work/plain.sql"
# While the mix runs, an expiry between the start of an admitting call and
# the check's snapshot can let the check count one estimate more than that
# call did, so the check allows the largest estimate.
printf '%s\n' "INSERT INTO mix_excess SELECT now(), s.settled, r.spend FROM (SELECT mix_settled() AS settled) AS s, masecon.reserved_spend('mix', now()) AS r WHERE s.settled + r.spend > 1.00 + 0.050;" >"$work/check.sql"

if ! timeout 60 pgbench -n -d "$db" -c 8 -j 4 -T 6 \
	-f "$work/settle.sql@6" -f "$work/release.sql@1" -f "$work/expire.sql@1" \
	-f "$work/plain.sql@2" -f "$work/check.sql@1" >"$work/pgbench" 2>&1; then
	cat "$work/pgbench"
	echo "not ok - pgbench mix failed"
	exit 1
fi
grep -E '^number of (transactions actually processed|failed transactions)' "$work/pgbench" || true

check "the mix admitted reservations" \
	"$(run_sql -c "SELECT count(*) > 10 FROM mix_log WHERE reservation_id IS NOT NULL")" t
check "the mix blocked reservations" \
	"$(run_sql -c "SELECT count(*) > 0 FROM mix_log WHERE signal = 'BLOCK' AND reservation_id IS NULL")" t
check "the mix settled reservations" \
	"$(run_sql -c "SELECT count(DISTINCT reservation_id) > 10 FROM masecon.execution_events WHERE customer_id = 'mix' AND reservation_id IS NOT NULL")" t
check "settled plus reserved spend stayed within the budget while running" \
	"$(run_sql -c "SELECT count(*) FROM mix_excess")" 0
check "settled plus reserved spend ends within the budget" \
	"$(run_sql -c "SELECT mix_settled() + (masecon.reserved_spend('mix', now())).spend <= 1.00")" t
check "every BLOCK of the mix has a reason" \
	"$(run_sql -c "SELECT count(*) FROM mix_log WHERE signal = 'BLOCK' AND (reservation_id IS NOT NULL OR reasons = 0)")" 0
check "admitted reservations were stored" \
	"$(run_sql -c "SELECT count(*) = (SELECT count(*) FROM mix_log WHERE reservation_id IS NOT NULL) FROM masecon.reservations WHERE customer_id = 'mix'")" t

if [ "$failures" -ne 0 ]; then
	echo "$failures reservation checks failed"
	exit 1
fi

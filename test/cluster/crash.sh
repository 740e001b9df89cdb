#!/bin/sh
# Crash recovery: a client commits a stream of events and logs each id
# only after COMMIT returns; the postmaster is killed with SIGKILL in the
# middle of the stream.  After a restart every logged event is there and
# masecon.mas_verify() is empty.
#
# The test runs its own cluster, because the throwaway cluster of
# scripts/test must survive it: initdb into a private folder, a Unix
# socket in that folder and no TCP port, so it collides with nothing.
set -eu

# scripts/test exports PG_CONFIG for the server it tests.
bindir=$("${PG_CONFIG:-pg_config}" --bindir)
root=$(mktemp -d)
chmod 755 "$root"
data="$root/data"
log="$root/server.log"
ids="$root/committed.ids"
port=5499

# The server refuses to run as root; run it as postgres when we are root.
if [ "$(id -u)" -eq 0 ]; then
	chown postgres "$root"
	as_server() { runuser -u postgres -- "$@"; }
else
	as_server() { "$@"; }
fi

cleanup() {
	if [ -f "$data/postmaster.pid" ]; then
		as_server "$bindir/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
	fi
	rm -rf "$root"
}
trap cleanup EXIT

as_server "$bindir/initdb" -D "$data" -U postgres --auth=trust >/dev/null
start_server() {
	as_server "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$root' -p $port" start >/dev/null
}
start_server

export PGHOST="$root" PGPORT="$port" PGUSER=postgres
unset PGPASSWORD PGDATABASE PGSERVICE || true
createdb crash
psql -X -q -v ON_ERROR_STOP=1 -d crash -c 'CREATE EXTENSION masecon'

# The client: one transaction per batch of events, the ids appended to
# the log (and flushed) only after the commit returned.
cat > "$root/client.py" <<'PY'
import os
import sys

import psycopg

ids_path = sys.argv[1]
with open(ids_path, "a") as ids, psycopg.connect(dbname="crash") as conn:
    batch = 0
    while True:
        batch += 1
        rows = [(f"crash-{batch}-{i}", f"crash-wf-{batch % 50}") for i in range(3)]
        try:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO masecon.execution_events"
                    " (execution_id, customer_id, workflow_id, agent_id, model_name,"
                    "  tokens_in, cached_tokens_in, tokens_out)"
                    " VALUES (%s, 'crash-customer', %s, 'agent', 'gpt-4o', 2006, 1920, 300)",
                    rows)
            conn.commit()
        except psycopg.Error as error:
            print(f"client stopped after {batch - 1} batches: {error.__class__.__name__}", file=sys.stderr)
            sys.exit(0)
        for execution_id, _ in rows:
            ids.write(execution_id + "\n")
        ids.flush()
        os.fsync(ids.fileno())
PY
: > "$ids"
# Debian's python3, which python3-psycopg installs into, not another one
# that PATH may find first.
/usr/bin/python3 "$root/client.py" "$ids" &
client=$!

# Let the stream run, then kill the postmaster without warning.
sleep 3
postmaster=$(head -n 1 "$data/postmaster.pid")
logged_before=$(wc -l < "$ids")
kill -KILL "$postmaster"
wait "$client" || true
# postmaster.pid stays: the next start finds its process gone, and waits
# for the orphaned backends, which exit on their own, to release the
# shared memory it names.
logged=$(wc -l < "$ids")
echo "killed postmaster $postmaster after $logged_before committed events, $logged logged in all"
if [ "$logged" -eq 0 ]; then
	echo "FAIL: the client committed nothing before the crash"
	exit 1
fi

restarted=no
for _ in 1 2 3 4 5; do
	if start_server 2>/dev/null; then
		restarted=yes
		break
	fi
	sleep 1
done
if [ "$restarted" = no ]; then
	echo "FAIL: the server did not restart"
	cat "$log"
	exit 1
fi
grep -q 'database system was interrupted\|redo starts at\|not properly shut down' "$log" || {
	echo "FAIL: the server did not run crash recovery"
	cat "$log"
	exit 1
}

psql -X -q -v ON_ERROR_STOP=1 -d crash <<SQL
CREATE TEMPORARY TABLE committed (execution_id text PRIMARY KEY);
\copy committed FROM '$ids'
CREATE TEMPORARY TABLE failures AS
SELECT 'missing event ' || c.execution_id AS failure
  FROM committed AS c
 WHERE NOT EXISTS (SELECT FROM masecon.execution_events AS e
                    WHERE e.customer_id = 'crash-customer' AND e.execution_id = c.execution_id)
UNION ALL
SELECT 'mas_verify: ' || v.what || ' ' || v.key FROM masecon.mas_verify() AS v
UNION ALL
-- A batch is one transaction: all of its events or none.
SELECT 'partial batch ' || pg_catalog.split_part(execution_id, '-', 2)
  FROM masecon.execution_events
 GROUP BY pg_catalog.split_part(execution_id, '-', 2)
HAVING pg_catalog.count(*) <> 3;
SELECT (SELECT pg_catalog.count(*) FROM committed) AS logged,
       (SELECT pg_catalog.count(*) FROM masecon.execution_events) AS stored;
DO \$\$
BEGIN
    IF EXISTS (SELECT FROM failures) THEN
        RAISE EXCEPTION 'crash checks failed'
            USING DETAIL = (SELECT pg_catalog.string_agg(f.*::text, E'\n') FROM failures AS f);
    END IF;
END
\$\$;
SQL

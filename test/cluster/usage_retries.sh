#!/bin/sh
# Sends the same API response from eight sessions at once, as retrying
# producers do, and checks that masecon.mas_record_usage stores it once and
# that every session gets the stored event back.
set -eu
cd "$(dirname "$0")/../.."

database=masecon_usage_retries
output=$(mktemp -d)
trap 'rm -rf "$output"' EXIT

dropdb --if-exists "$database" 2>/dev/null
createdb "$database"
psql -X -q -v ON_ERROR_STOP=1 -d "$database" -c 'CREATE EXTENSION masecon'

sessions=8
i=1
while [ "$i" -le "$sessions" ]; do
	# Each session holds its transaction open a moment after the call, so
	# that the others meet its uncommitted event and wait for it.
	timeout 60 psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$database" \
		-v response="$(cat examples/responses/anthropic_messages.json)" >"$output/$i" 2>&1 <<'SQL' &
BEGIN;
SELECT execution_id, execution_cost_total, inserted
  FROM masecon.mas_record_usage('retry-run', 'writer', NULL, :'response'::jsonb,
                                customer_id => 'retry-acme');
SELECT pg_sleep(0.5) \g /dev/null
COMMIT;
SQL
	i=$((i + 1))
done
wait

failures=0
inserted=0
i=1
while [ "$i" -le "$sessions" ]; do
	case "$(cat "$output/$i")" in
	"msg_01XFDUDYJgAACzvnptvVoYEL|0.0010935|t")
		inserted=$((inserted + 1)) ;;
	"msg_01XFDUDYJgAACzvnptvVoYEL|0.0010935|f")
		;;
	*)
		echo "not ok - session $i returned:"
		sed 's/^/    /' "$output/$i"
		failures=$((failures + 1)) ;;
	esac
	i=$((i + 1))
done

if [ "$inserted" -eq 1 ]; then
	echo "ok - one session inserted the event"
else
	echo "not ok - $inserted sessions inserted the event"
	failures=$((failures + 1))
fi

stored=$(psql -X -A -t -d "$database" -c "SELECT count(*) || ' ' || sum(execution_cost_total) FROM masecon.execution_events")
if [ "$stored" = "1 0.0010935" ]; then
	echo "ok - one event stored"
else
	echo "not ok - stored events and cost: $stored"
	failures=$((failures + 1))
fi

dropdb "$database"
[ "$failures" -eq 0 ]

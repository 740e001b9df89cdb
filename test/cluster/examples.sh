#!/bin/sh
# Runs the Python and Node examples in examples/ against the cluster that
# PGHOST, PGPORT and PGUSER name, in a database of their own, and checks
# the costs they print and the events they stored.
set -eu
cd "$(dirname "$0")/../.."

database=masecon_examples
# Debian's psycopg is installed for the system interpreter, which another
# python3 earlier on PATH may hide.
python=${PYTHON:-/usr/bin/python3}
output=$(mktemp -d)
trap 'rm -rf "$output"' EXIT
failures=0
checks=0

check() {
	# check NAME FILE TEXT: FILE must contain the line TEXT.
	checks=$((checks + 1))
	if grep -qxF "$3" "$2"; then
		echo "ok - $1"
	else
		echo "not ok - $1: no line \"$3\" in:"
		sed 's/^/    /' "$2"
		failures=$((failures + 1))
	fi
}

check_pattern() {
	# check_pattern NAME FILE PATTERN: a line of FILE must match PATTERN.
	checks=$((checks + 1))
	if grep -qE "$3" "$2"; then
		echo "ok - $1"
	else
		echo "not ok - $1: no line matching /$3/ in:"
		sed 's/^/    /' "$2"
		failures=$((failures + 1))
	fi
}

dropdb --if-exists "$database" 2>/dev/null
createdb "$database"
psql -X -q -v ON_ERROR_STOP=1 -d "$database" -c 'CREATE EXTENSION masecon'
export PGDATABASE="$database"

if [ ! -d examples/node/node_modules/pg ]; then
	(cd examples/node && timeout 300 npm ci --no-audit --no-fund >/dev/null)
fi

guardrail=$(psql -X -A -t -c "SELECT pg_catalog.to_regprocedure('masecon.mas_reserve(text,text,text,numeric,interval,timestamptz)') IS NOT NULL")

timeout 120 "$python" examples/python/record_usage.py >"$output/python" 2>&1 || {
	echo "not ok - python example exited with $?:"
	sed 's/^/    /' "$output/python"
	failures=$((failures + 1))
}
timeout 120 node examples/node/record_usage.js >"$output/node" 2>&1 || {
	echo "not ok - node example exited with $?:"
	sed 's/^/    /' "$output/node"
	failures=$((failures + 1))
}

for language in python node; do
	file="$output/$language"
	check "$language OpenAI chat cost" "$file" \
		"recorded chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG model gpt-4o-2024-08-06 cost 0.005615 (priced)"
	check "$language OpenAI Responses cost" "$file" \
		"recorded resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41 model gpt-4o-mini-2024-07-18 cost 0.0005724 (priced)"
	check "$language Anthropic cache-read cost" "$file" \
		"recorded msg_01XFDUDYJgAACzvnptvVoYEL model claude-3-5-sonnet-20241022 cost 0.0010935 (priced)"
	check "$language Anthropic cache-write cost" "$file" \
		"recorded msg_01Aq9w938a90dw8q3SrKbN7Z model claude-3-opus-20240229 cost 0.12375 (priced)"
	check "$language retry stored once" "$file" \
		"retry of chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG: already stored, cost 0.005615"
	if [ "$guardrail" = t ]; then
		check_pattern "$language guardrail warns" "$file" \
			"^guardrail before reviewer \(about 0\.108 USD\): WARN "
		check "$language guardrail blocks" "$file" \
			"stopping: the guardrail blocked the planner step"
		check "$language total" "$file" "total: 4 events, 0.1310309 USD"
		check_pattern "$language BLOCK signal" "$file" \
			"^signal: customer example-$language-[0-9a-f]{8} (PASS|WARN) -> BLOCK,"
	else
		check "$language reports missing guardrail" "$file" \
			"guardrail: masecon.mas_reserve is not installed, so the steps run unchecked"
		check "$language total" "$file" "total: 5 events, 0.1347509 USD"
	fi
done

# What the examples stored, read back from the table.
psql -X -A -t -F ' ' -c "
	SELECT split_part(customer_id, '-', 2), count(*), sum(execution_cost_total)
	  FROM masecon.execution_events
	 GROUP BY 1 ORDER BY 1" >"$output/stored"
if [ "$guardrail" = t ]; then
	check "python events stored" "$output/stored" "python 4 0.1310309"
	check "node events stored" "$output/stored" "node 4 0.1310309"
	# Each admitted step reserved its estimate and its event settled it.
	psql -X -A -t -F ' ' -c "
		SELECT split_part(customer_id, '-', 2), count(*), count(*) FILTER (WHERE state = 'settled')
		  FROM masecon.reservation_status
		 GROUP BY 1 ORDER BY 1" >"$output/reservations"
	check "python reservations settled" "$output/reservations" "python 4 4"
	check "node reservations settled" "$output/reservations" "node 4 4"
else
	check "python events stored" "$output/stored" "python 5 0.1347509"
	check "node events stored" "$output/stored" "node 5 0.1347509"
fi

dropdb "$database"
echo "examples: $((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]

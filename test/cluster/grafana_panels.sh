#!/bin/sh
# Run every panel query of grafana/dashboards/masecon.json, macros and the
# customer variable expanded as Grafana does, against demo data seeded in a
# database of its own.  The work is in grafana_panels.py beside this file.
set -eu
cd "$(dirname "$0")/../.."

db=masecon_grafana
dropdb --if-exists "$db"
createdb "$db"
trap 'dropdb --if-exists "$db"' EXIT

# The demo data ends at the start of the current hour and covers 30 days,
# the dashboard's default time range.
until=$(psql -X -At -d "$db" -c "SELECT date_trunc('hour', now())")
psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
	-c 'CREATE EXTENSION masecon' \
	-c "SELECT events FROM masecon.mas_seed_demo_data(3, 30, 50, 42, '$until')" >/dev/null

# Debian's python3-psycopg is for /usr/bin/python3, which another python3
# earlier on PATH (pyenv, a virtualenv) may not see.
python=python3
python3 -c 'import psycopg' 2>/dev/null || python=/usr/bin/python3

PGDATABASE=$db timeout 300 "$python" test/cluster/grafana_panels.py \
	grafana/dashboards/masecon.json \
	grafana/provisioning/datasources/masecon.yaml \
	"$until"

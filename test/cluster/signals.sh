#!/bin/sh
# NOTIFY on masecon_signal with a real listening client: see signals.py.
# scripts/install-deps installs psycopg for the system python3; a python3
# earlier on PATH may lack it, so take the first one that has it.
set -eu
cd "$(dirname "$0")"
for python in python3 /usr/bin/python3; do
	if "$python" -c 'import psycopg' 2>/dev/null; then
		exec timeout 120 "$python" signals.py
	fi
done
echo "not ok - no python3 with psycopg; run scripts/install-deps" >&2
exit 1

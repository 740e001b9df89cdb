"""Run every panel query of the masecon Grafana dashboard against demo data.

Each query is expanded the way Grafana's PostgreSQL data source expands it:
the frontend replaces template variables (a multi-value variable becomes a
comma-separated list of quoted literals), the backend replaces $__interval
and $__interval_ms, then the macros ($__timeFilter, $__timeFrom,
$__timeGroupAlias, ...) with the same text as Grafana's macros.go in
pkg/tsdb/grafana-postgresql-datasource.  The expanded query runs in the
database that PGDATABASE names (PGHOST, PGPORT and PGUSER as libpq reads
them), which the calling script has seeded with mas_seed_demo_data.

Usage: grafana_panels.py DASHBOARD_JSON DATASOURCE_YAML UNTIL
UNTIL is the instant the demo data ends; the time range is the 30 days
before it.
"""

import datetime
import decimal
import json
import re
import sys

import psycopg

# Columns each panel's query must return, by panel title.  A panel missing
# here fails the test, so a new panel gets its check.
REQUIRED_COLUMNS = {
    "Total cost": ["total_cost"],
    "Executions": ["executions"],
    "Average cost per execution": ["avg_cost_per_execution"],
    "Tokens": ["total_tokens"],
    "Daily cost per customer": ["time", "metric", "cost"],
    "Cost per interval": ["time", "metric", "cost"],
    "Cost by agent": ["agent_id", "cost", "executions", "tokens"],
    "Cost by model": ["model_name", "cost", "executions", "tokens"],
    "Cost spikes": ["time", "customer_id", "cost", "average_daily_cost", "ratio"],
    "Signal and pressure per customer": ["customer_id", "signal", "pressure"],
    "Models without a price": ["model_name", "events", "first_seen", "last_seen"],
}

# Panels whose view another part of masecon provides; they are skipped,
# with a message, when the view is not installed.
OPTIONAL_VIEWS = {"Signal and pressure per customer": "masecon.customer_status"}

INTERVAL = "1h"
MACRO = re.compile(r"\$([_a-zA-Z0-9]+)\(([^\)]*)\)")
INTERVAL_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400,
                  "w": 604800, "M": 2592000, "y": 31536000}


def rfc3339(instant):
    """Format a UTC instant as Go's time.RFC3339Nano does."""
    text = instant.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if instant.microsecond:
        text += (".%06d" % instant.microsecond).rstrip("0")
    return text + "Z"


def interval_seconds(text):
    match = re.fullmatch(r"(\d+)(ms|s|m|h|d|w|M|y)", text.strip().strip("'"))
    if match is None:
        raise ValueError("invalid interval %r" % text)
    return int(match.group(1)) * INTERVAL_UNITS[match.group(2)]


def go_number(value):
    """Format a float as Go's %v does for the values used here."""
    return str(int(value)) if float(value).is_integer() else repr(value)


def expand_macro(name, args, time_from, time_to):
    if name == "__time":
        return '%s AS "time"' % args[0]
    if name == "__timeEpoch":
        return 'extract(epoch from %s) as "time"' % args[0]
    if name == "__timeFilter":
        return "%s BETWEEN '%s' AND '%s'" % (args[0], rfc3339(time_from), rfc3339(time_to))
    if name == "__timeFrom":
        return "'%s'" % rfc3339(time_from)
    if name == "__timeTo":
        return "'%s'" % rfc3339(time_to)
    if name in ("__timeGroup", "__timeGroupAlias"):
        seconds = go_number(interval_seconds(args[1]))
        group = "floor(extract(epoch from %s)/%s)*%s" % (args[0], seconds, seconds)
        return group + ' AS "time"' if name == "__timeGroupAlias" else group
    if name == "__unixEpochFilter":
        return "%s >= %d AND %s <= %d" % (args[0], int(time_from.timestamp()),
                                          args[0], int(time_to.timestamp()))
    raise ValueError("macro $%s is not one this test expands" % name)


def expand(sql, variables, time_from, time_to):
    """Expand template variables, then $__interval, then the macros."""
    for name, values in variables.items():
        quoted = ",".join("'%s'" % v.replace("'", "''") for v in values)
        sql = sql.replace("${%s}" % name, quoted)
        sql = re.sub(r"\$%s\b" % re.escape(name), lambda _: quoted, sql)
    sql = sql.replace("$__interval_ms", str(int(interval_seconds(INTERVAL) * 1000)))
    sql = sql.replace("$__interval", INTERVAL)

    def replace(match):
        name = match.group(1)
        # Grafana reads $__timeGroup followed by a comma as $__timeGroupAlias.
        if name == "__timeGroup" and sql[match.end():match.end() + 1] == ",":
            name = "__timeGroupAlias"
        args = [arg.strip() for arg in match.group(2).split(",")]
        return expand_macro(name, args, time_from, time_to)

    return MACRO.sub(replace, sql)


def all_panels(panels):
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


def check_result(panel, target, columns, rows, selection):
    """Return the problems with one query's result, as messages."""
    title = panel["title"]
    problems = []
    if not rows:
        problems.append("returned no rows")
    missing = [c for c in REQUIRED_COLUMNS[title] if c not in columns]
    if missing:
        problems.append("lacks columns %s (has %s)" % (missing, columns))
    if target.get("format") == "time_series" and not missing:
        time_at = columns.index("time")
        for row in rows:
            if not isinstance(row[time_at], (datetime.datetime, int, float, decimal.Decimal)):
                problems.append("time value %r is neither a timestamp nor a number" % (row[time_at],))
                break
    if panel.get("type") == "stat" and rows and not missing:
        value = rows[0][columns.index(REQUIRED_COLUMNS[title][0])]
        if not value:
            problems.append("stat value is %r, but the demo data has events in the range" % (value,))
    for column in ("customer_id", "metric"):
        if column in columns:
            outside = {row[columns.index(column)] for row in rows} - set(selection)
            if outside:
                problems.append("returned customers outside the selection: %s" % sorted(outside))
    return problems


def main():
    dashboard_path, datasource_path, until_text = sys.argv[1:4]
    dashboard = json.load(open(dashboard_path))
    datasource_text = open(datasource_path).read()
    failures = 0

    with psycopg.connect(autocommit=True) as conn:
        conn.execute("SET statement_timeout = '60s'")
        until = conn.execute("SELECT %s::timestamptz", (until_text,)).fetchone()[0]
        time_from, time_to = until - datetime.timedelta(days=30), until

        uids = {t["datasource"]["uid"] for p in all_panels(dashboard["panels"]) for t in p.get("targets", [])}
        for uid in sorted(uids):
            if not re.search(r"^\s*uid:\s*%s\s*$" % re.escape(uid), datasource_text, re.M):
                print("FAIL: data source uid %r of the panels is not provisioned in %s" % (uid, datasource_path))
                failures += 1

        variable = next(v for v in dashboard["templating"]["list"] if v["name"] == "customer")
        customers = [row[0] for row in conn.execute(variable["query"]).fetchall()]
        if len(customers) < 2:
            print("FAIL: the customer variable's query returned %r" % customers)
            return 1
        selections = {"All": customers, "one customer": [customers[1]]}

        for panel in all_panels(dashboard["panels"]):
            title = panel["title"]
            if panel.get("type") == "row":
                continue
            if title not in REQUIRED_COLUMNS:
                print("FAIL: panel %r has no column check in this test" % title)
                failures += 1
                continue
            view = OPTIONAL_VIEWS.get(title)
            if view and conn.execute("SELECT to_regclass(%s)", (view,)).fetchone()[0] is None:
                print("skipped: panel %r, because %s does not exist" % (title, view))
                continue
            for target in panel["targets"]:
                for label, selection in selections.items():
                    sql = expand(target["rawSql"], {"customer": selection}, time_from, time_to)
                    try:
                        cursor = conn.execute(sql)
                        columns = [d.name for d in cursor.description]
                        rows = cursor.fetchall()
                    except psycopg.Error as error:
                        print("FAIL: panel %r (%s): %s\n%s" % (title, label, str(error).strip(), sql))
                        failures += 1
                        continue
                    problems = check_result(panel, target, columns, rows, selection)
                    for problem in problems:
                        print("FAIL: panel %r (%s) %s\n%s" % (title, label, problem, sql))
                    failures += len(problems)
                    if not problems:
                        print("ok: panel %r (%s): %d rows" % (title, label, len(rows)))

    print("grafana panels: %d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""NOTIFY on channel masecon_signal, received by a real listening client.

Run by test/cluster/signals.sh against the server that PGHOST, PGPORT and
PGUSER name.  Every insert commits, because notifications are sent at
commit.  Prints one line per check and exits 1 when any check fails.
"""
import json
import sys
import threading
import time

import psycopg

DATABASE = "masecon_signals"
failures = 0


def check(name, condition, detail=""):
    global failures
    if condition:
        print(f"ok - {name}")
    else:
        failures += 1
        print(f"not ok - {name} {detail}")


def connect(autocommit=True):
    # statement_timeout bounds every step, so a lock wait cannot hang the test.
    return psycopg.connect(dbname=DATABASE, autocommit=autocommit,
                           options="-c statement_timeout=30s")


admin = psycopg.connect(dbname="postgres", autocommit=True)
admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
admin.execute(f"CREATE DATABASE {DATABASE}")

setup = connect()
setup.execute("CREATE EXTENSION masecon")
setup.execute("""
    INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit)
    VALUES ('sig-a', 10), ('sig-b', NULL), ('sig-d', 10), ('sig-e', 10),
           ('sig-f', 10), ('sig-g', 10)""")

listener = connect()
received = []
listener.add_notify_handler(lambda n: received.append(n))
listener.execute("LISTEN masecon_signal")


def take_notifications(wait=0.5):
    """Return the notifications that arrive within wait seconds."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        listener.execute("SELECT 1")
        time.sleep(0.05)
    notes = [(n.channel, json.loads(n.payload)) for n in received]
    received.clear()
    return notes


writer = connect()


def insert(customer, workflow, cost, conn=writer, model="sig-reported-model"):
    """Insert one event; cost None leaves it unpriced."""
    conn.execute(
        "INSERT INTO masecon.execution_events"
        " (customer_id, workflow_id, model_name, execution_cost_total)"
        " VALUES (%s, %s, %s, %s)", (customer, workflow, model, cost))


# sig-a, daily budget 10 and no history.  3 spent is PASS, and its forecast
# is at most 2 x 3 = 6 at any time of day, under the AMBER line of 7.
insert("sig-a", "wf-a1", 3)
check("under the limits sends nothing", take_notifications() == [])

# 11 spent is over the budget: BLOCK and RED, in one notification.
insert("sig-a", "wf-a2", 8)
notes = take_notifications()
check("crossing the budget sends one notification", len(notes) == 1, notes)
if notes:
    channel, payload = notes[0]
    check("channel is masecon_signal", channel == "masecon_signal", channel)
    check("payload names the customer and workflow",
          payload["customer"] == "sig-a" and payload["workflow"] == "wf-a2", payload)
    check("payload has the old and new levels",
          (payload["old_signal"], payload["new_signal"],
           payload["old_pressure"], payload["new_pressure"])
          == ("PASS", "BLOCK", "GREEN", "RED"), payload)
    check("payload has the figures",
          payload["daily_spend"] == 11 and payload["daily_budget"] == 10
          and payload["forecast"] >= 11 and payload["events"] == 1, payload)
    check("payload has the reasons",
          payload["reasons"] == ["daily spend 11 USD exceeds the daily budget of 10 USD by 1 USD"],
          payload)

# Further spend cannot make BLOCK and RED worse.
for _ in range(3):
    insert("sig-a", "wf-a2", 1)
check("more spend at the worst level sends nothing", take_notifications() == [])

# sig-b has no daily budget; an unpriced event makes its signal WARN.
insert("sig-b", "wf-b1", None, model="sig-unknown-model")
notes = take_notifications()
check("unpriced spend sends one notification", len(notes) == 1, notes)
if notes:
    payload = notes[0][1]
    check("unpriced notification is PASS to WARN, pressure GREEN",
          (payload["old_signal"], payload["new_signal"], payload["new_pressure"])
          == ("PASS", "WARN", "GREEN"), payload)
    check("unpriced notification names the model",
          "sig-unknown-model" in payload["reasons"][0], payload)
insert("sig-b", "wf-b1", None, model="sig-unknown-model")
check("a second unpriced event sends nothing", take_notifications() == [])

# sig-c has no policy: never notified.
insert("sig-c", "wf-c1", None, model="sig-unknown-model")
insert("sig-c", "wf-c1", 1000)
check("a customer without a policy sends nothing", take_notifications() == [])

# A rolled-back insert sends nothing; the committed one then does.
tx = connect(autocommit=False)
insert("sig-d", "wf-d1", 11, conn=tx)
tx.rollback()
check("a rolled-back crossing sends nothing", take_notifications() == [])
insert("sig-d", "wf-d1", 11, conn=tx)
tx.commit()
notes = take_notifications()
check("the committed crossing sends one notification",
      len(notes) == 1 and notes[0][1]["customer"] == "sig-d", notes)

# Two sessions cross the budget of sig-e at once.  The second waits for the
# first's signal_state row, then finds the level already notified.
first = connect(autocommit=False)
second = connect(autocommit=False)
insert("sig-e", "wf-e1", 11, conn=first)
errors = []


def second_insert():
    try:
        insert("sig-e", "wf-e2", 11, conn=second)
        second.commit()
    except Exception as error:  # reported as a failed check below
        errors.append(error)


thread = threading.Thread(target=second_insert)
thread.start()
time.sleep(0.5)
first.commit()
thread.join(timeout=30)
check("the concurrent insert committed", not thread.is_alive() and errors == [], errors)
notes = take_notifications()
check("two concurrent crossings send one notification",
      len(notes) == 1 and notes[0][1]["workflow"] == "wf-e1", notes)

# One statement that makes two customers cross sends one notification each.
writer.execute("""
    INSERT INTO masecon.execution_events
        (customer_id, workflow_id, model_name, execution_cost_total)
    VALUES ('sig-f', 'wf-f1', 'sig-reported-model', 6),
           ('sig-g', 'wf-g1', 'sig-reported-model', 12),
           ('sig-f', 'wf-f2', 'sig-reported-model', 6)""")
notes = take_notifications()
check("a multi-row insert sends one notification per customer",
      sorted((p["customer"], p["workflow"], p["events"]) for _, p in notes)
      == [("sig-f", "wf-f2", 2), ("sig-g", "wf-g1", 1)], notes)

# sig-h: two sessions insert 0.5 each at once, reading at most 3 events
# past the counted boundary, so both move it many times.  Each change of
# level is notified once, and the spend of the signal's count equals the
# rollup readers' figure.
setup.execute("INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ('sig-h', 10)")
take_notifications(wait=0.1)
errors = []


def insert_many(session):
    try:
        conn = psycopg.connect(dbname=DATABASE, autocommit=True,
                               options="-c statement_timeout=30s -c masecon.signal_tail_max=3")
        for step in range(25):
            insert("sig-h", f"wf-h{session}-{step}", 0.5, conn=conn)
        conn.close()
    except Exception as error:  # reported as a failed check below
        errors.append(error)


threads = [threading.Thread(target=insert_many, args=(session,)) for session in (1, 2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=60)
check("the concurrent inserts committed",
      not any(t.is_alive() for t in threads) and errors == [], errors)
notes = [payload for _, payload in take_notifications()]
signal_order = ["PASS", "WARN", "BLOCK"]
pressure_order = ["GREEN", "AMBER", "RED"]
levels = [(signal_order.index(p["new_signal"]), pressure_order.index(p["new_pressure"]))
          for p in notes]
check("each level change of sig-h is notified once",
      len(notes) > 0 and all(a[0] <= b[0] and a[1] <= b[1] and a != b
                             for a, b in zip(levels, levels[1:])), notes)
check("the last notification of sig-h is BLOCK and RED",
      len(notes) > 0 and (notes[-1]["new_signal"], notes[-1]["new_pressure"]) == ("BLOCK", "RED"),
      notes)
check("the BLOCK of sig-h comes past the budget",
      all(p["daily_spend"] > 10 for p in notes if p["new_signal"] == "BLOCK"), notes)
counted = setup.execute("""
    SELECT s.counted_below IS NOT NULL,
           s.counted_spend + coalesce((SELECT sum(e.execution_cost_total)
                                         FROM masecon.execution_events AS e
                                        WHERE e.customer_id = s.customer_id
                                          AND e.ingest_xid >= s.counted_below), 0),
           (SELECT d.cost FROM masecon.daily_spend(s.customer_id, s.day, s.day) AS d)
      FROM masecon.signal_state AS s WHERE s.customer_id = 'sig-h'""").fetchone()
check("the counted spend of sig-h equals the daily spend",
      counted is not None and counted[0] and counted[1] == counted[2] == 25, counted)

for conn in (listener, writer, tx, first, second, setup):
    conn.close()
admin.execute(f"DROP DATABASE {DATABASE}")
sys.exit(1 if failures else 0)

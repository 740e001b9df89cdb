#!/usr/bin/env python3
"""Run a small support workflow's steps against masecon.

Before each step the agent calls masecon.mas_reserve, which evaluates the
guardrail and reserves the step's estimated cost, so that agents running at
the same moment cannot overshoot the budget together.  After it, the saved
API response in examples/responses/ is recorded as is with
masecon.mas_record_usage, which prices it and settles the reservation.  A second
connection LISTENs on masecon_signal for budget signals.

Connection parameters come from the usual libpq environment variables
(PGHOST, PGPORT, PGUSER, PGDATABASE) or from a connection string given as
the first argument.  Needs psycopg 3 (Debian package python3-psycopg).
"""

import json
import select
import sys
import uuid
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

RESPONSES = Path(__file__).resolve().parent.parent / "responses"
DAILY_BUDGET = "0.13"

# (agent, saved response, planned input tokens, planned output tokens)
STEPS = [
    ("planner", "openai_chat_completion.json", 2000, 300),
    ("researcher", "openai_responses.json", 3200, 400),
    ("writer", "anthropic_messages.json", 2500, 50),
    ("reviewer", "anthropic_messages_opus.json", 5200, 400),
    ("planner", "openai_chat_completion_followup.json", 2400, 50),
]

GUARDRAIL = "masecon.mas_reserve(text,text,text,numeric,interval,timestamptz)"


def has_guardrail(conn):
    """Return whether this installation has the reservation function."""
    row = conn.execute(
        "SELECT pg_catalog.to_regprocedure(%s) IS NOT NULL", (GUARDRAIL,)
    ).fetchone()
    return row[0]


def estimate_cost(conn, model, tokens_in, tokens_out):
    """Return the simulator's cost of one step of the planned size."""
    row = conn.execute(
        "SELECT cost_per_step FROM masecon.mas_workflow_cost(1, 1, %s, %s, %s)",
        (tokens_in, tokens_out, model),
    ).fetchone()
    return row[0]


def main():
    dsn = sys.argv[1] if len(sys.argv) > 1 else ""
    # A new customer for each run, so that a second run starts with a
    # fresh daily budget.
    run = uuid.uuid4().hex[:8]
    customer = "example-python-" + run
    workflow_id = "support-run-" + run
    signals = []

    with psycopg.connect(dsn, autocommit=True) as conn, psycopg.connect(
        dsn, autocommit=True
    ) as listener:
        listener.add_notify_handler(lambda notify: signals.append(notify.payload))
        listener.execute("LISTEN masecon_signal")

        # An administrator sets the budget in a real installation.
        conn.execute(
            "INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES (%s, %s)",
            (customer, DAILY_BUDGET),
        )
        print(f"customer {customer}, daily budget {DAILY_BUDGET} USD")

        guardrail = has_guardrail(conn)
        if not guardrail:
            print(
                "guardrail: masecon.mas_reserve is not installed, "
                "so the steps run unchecked"
            )

        first_response = None
        first_reservation = None
        for agent, name, planned_in, planned_out in STEPS:
            response = json.loads((RESPONSES / name).read_text())
            reservation_id = None
            if guardrail:
                proposed = estimate_cost(conn, response["model"], planned_in, planned_out)
                # In autocommit mode the reservation commits at once, so
                # other agents of this customer count it from now on.
                signal, reasons, reservation_id = conn.execute(
                    """SELECT signal::text, reasons, reservation_id
                         FROM masecon.mas_reserve(%s, %s, %s, %s)""",
                    (customer, workflow_id, agent, proposed),
                ).fetchone()
                print(f"guardrail before {agent} (about {proposed} USD): {signal}"
                      + (f" ({'; '.join(reasons)})" if reasons else ""))
                if signal == "BLOCK":
                    print(f"stopping: the guardrail blocked the {agent} step")
                    break

            # The LLM call would happen here; its response is recorded as is,
            # with the reservation it settles.  A step that fails before its
            # call would release the reservation with masecon.mas_release.
            execution_id, cost, status, inserted = conn.execute(
                """SELECT execution_id, execution_cost_total, price_status::text, inserted
                     FROM masecon.mas_record_usage(%s, %s, NULL, %s, customer_id => %s,
                                                   reservation_id => %s)""",
                (workflow_id, agent, Jsonb(response), customer, reservation_id),
            ).fetchone()
            print(f"recorded {execution_id} model {response['model']} cost {cost} ({status})")
            if first_response is None:
                first_response = response
                first_reservation = reservation_id

        # A retried call sends the same response again; it is stored once.
        execution_id, cost, inserted = conn.execute(
            """SELECT execution_id, execution_cost_total, inserted
                 FROM masecon.mas_record_usage(%s, %s, NULL, %s, customer_id => %s,
                                               reservation_id => %s)""",
            (workflow_id, STEPS[0][0], Jsonb(first_response), customer, first_reservation),
        ).fetchone()
        print(f"retry of {execution_id}: "
              + ("recorded again" if inserted else "already stored") + f", cost {cost}")

        events, total = conn.execute(
            """SELECT count(*), coalesce(sum(execution_cost_total), 0)
                 FROM masecon.execution_events
                WHERE customer_id = %s AND workflow_id = %s""",
            (customer, workflow_id),
        ).fetchone()
        print(f"total: {events} events, {total} USD")

        # Notifications arrive after each commit; wait briefly for the last
        # ones, then let psycopg deliver them to the handler.
        select.select([listener.fileno()], [], [], 1.0)
        listener.execute("SELECT 1")
        for payload in signals:
            signal = json.loads(payload)
            print(f"signal: customer {signal.get('customer')} "
                  f"{signal.get('old_signal')} -> {signal.get('new_signal')}, "
                  f"pressure {signal.get('old_pressure')} -> {signal.get('new_pressure')}")
        print(f"signals received: {len(signals)}")


if __name__ == "__main__":
    main()

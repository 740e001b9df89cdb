// Run a small support workflow's steps against masecon.
//
// Before each step the agent calls masecon.mas_reserve, which evaluates the
// guardrail and reserves the step's estimated cost, so that agents running at
// the same moment cannot overshoot the budget together.  After it, the saved
// API response in examples/responses/ is recorded as is with
// masecon.mas_record_usage, which prices it and settles the reservation.  A second
// connection LISTENs on masecon_signal for budget signals.
//
// Connection parameters come from the usual libpq environment variables
// (PGHOST, PGPORT, PGUSER, PGDATABASE) or from a connection string given as
// the first argument.  Needs the npm package pg (npm ci in this folder).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { Client } = require('pg');

const RESPONSES = path.join(__dirname, '..', 'responses');
const DAILY_BUDGET = '0.13';

// [agent, saved response, planned input tokens, planned output tokens]
const STEPS = [
  ['planner', 'openai_chat_completion.json', 2000, 300],
  ['researcher', 'openai_responses.json', 3200, 400],
  ['writer', 'anthropic_messages.json', 2500, 50],
  ['reviewer', 'anthropic_messages_opus.json', 5200, 400],
  ['planner', 'openai_chat_completion_followup.json', 2400, 50],
];

const GUARDRAIL = 'masecon.mas_reserve(text,text,text,numeric,interval,timestamptz)';

function connect() {
  const connectionString = process.argv[2];
  return new Client(connectionString ? { connectionString } : {});
}

// Returns one row of a query.
async function queryRow(client, text, values) {
  const result = await client.query(text, values);
  return result.rows[0];
}

async function main() {
  // A new customer for each run, so that a second run starts with a fresh
  // daily budget.  pg returns numeric values as strings, so costs stay exact.
  const run = crypto.randomBytes(4).toString('hex');
  const customer = `example-node-${run}`;
  const workflowId = `support-run-${run}`;
  const signals = [];

  const client = connect();
  const listener = connect();
  await client.connect();
  await listener.connect();
  try {
    listener.on('notification', (message) => signals.push(message.payload));
    await listener.query('LISTEN masecon_signal');

    // An administrator sets the budget in a real installation.
    await client.query(
      'INSERT INTO masecon.budget_policies (customer_id, daily_budget_limit) VALUES ($1, $2)',
      [customer, DAILY_BUDGET]);
    console.log(`customer ${customer}, daily budget ${DAILY_BUDGET} USD`);

    const { installed } = await queryRow(client,
      'SELECT pg_catalog.to_regprocedure($1) IS NOT NULL AS installed', [GUARDRAIL]);
    if (!installed) {
      console.log('guardrail: masecon.mas_reserve is not installed, '
                  + 'so the steps run unchecked');
    }

    let firstResponse = null;
    let firstReservation = null;
    for (const [agent, name, plannedIn, plannedOut] of STEPS) {
      const response = JSON.parse(fs.readFileSync(path.join(RESPONSES, name), 'utf8'));
      let reservationId = null;
      if (installed) {
        const { cost_per_step: proposed } = await queryRow(client,
          'SELECT cost_per_step FROM masecon.mas_workflow_cost(1, 1, $1::bigint, $2::bigint, $3::text)',
          [plannedIn, plannedOut, response.model]);
        // Outside a transaction the reservation commits at once, so other
        // agents of this customer count it from now on.
        const reserved = await queryRow(client,
          `SELECT signal::text, reasons, reservation_id
             FROM masecon.mas_reserve($1::text, $2::text, $3::text, $4::numeric)`,
          [customer, workflowId, agent, proposed]);
        const { signal, reasons } = reserved;
        reservationId = reserved.reservation_id;
        const reasonText = reasons.length > 0 ? ` (${reasons.join('; ')})` : '';
        console.log(`guardrail before ${agent} (about ${proposed} USD): ${signal}${reasonText}`);
        if (signal === 'BLOCK') {
          console.log(`stopping: the guardrail blocked the ${agent} step`);
          break;
        }
      }

      // The LLM call would happen here; its response is recorded as is, with
      // the reservation it settles.  A step that fails before its call would
      // release the reservation with masecon.mas_release.
      const recorded = await queryRow(client,
        `SELECT execution_id, execution_cost_total, price_status::text, inserted
           FROM masecon.mas_record_usage($1, $2, NULL, $3::jsonb, customer_id => $4,
                                         reservation_id => $5)`,
        [workflowId, agent, JSON.stringify(response), customer, reservationId]);
      console.log(`recorded ${recorded.execution_id} model ${response.model} `
                  + `cost ${recorded.execution_cost_total} (${recorded.price_status})`);
      if (firstResponse === null) {
        firstResponse = response;
        firstReservation = reservationId;
      }
    }

    // A retried call sends the same response again; it is stored once.
    const retry = await queryRow(client,
      `SELECT execution_id, execution_cost_total, inserted
         FROM masecon.mas_record_usage($1, $2, NULL, $3::jsonb, customer_id => $4,
                                       reservation_id => $5)`,
      [workflowId, STEPS[0][0], JSON.stringify(firstResponse), customer, firstReservation]);
    console.log(`retry of ${retry.execution_id}: `
                + `${retry.inserted ? 'recorded again' : 'already stored'}, cost ${retry.execution_cost_total}`);

    const total = await queryRow(client,
      `SELECT count(*) AS events, coalesce(sum(execution_cost_total), 0) AS cost
         FROM masecon.execution_events
        WHERE customer_id = $1 AND workflow_id = $2`,
      [customer, workflowId]);
    console.log(`total: ${total.events} events, ${total.cost} USD`);

    // Notifications arrive after each commit; wait briefly for the last ones.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const payload of signals) {
      const signal = JSON.parse(payload);
      console.log(`signal: customer ${signal.customer} `
                  + `${signal.old_signal} -> ${signal.new_signal}, `
                  + `pressure ${signal.old_pressure} -> ${signal.new_pressure}`);
    }
    console.log(`signals received: ${signals.length}`);
  } finally {
    await listener.end();
    await client.end();
  }
}

main().catch((error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});

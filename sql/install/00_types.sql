-- masecon install script, assembled by the Makefile from sql/install/*.sql
-- in file-name order.

\echo Use "CREATE EXTENSION masecon" to load this file. \quit

-- How an event's execution_cost_total was obtained.
CREATE TYPE masecon.price_status AS ENUM ('priced', 'unpriced', 'reported');
COMMENT ON TYPE masecon.price_status IS
    'priced: from the catalog; unpriced: model not in the catalog, cost is the tool cost alone; reported: model not in the catalog, cost supplied by the producer';

-- Pre-execution cost estimate returned by masecon.mas_workflow_cost.
CREATE TYPE masecon.workflow_cost AS (
    model_name text,
    resolved_model text,
    priced_at_mean boolean,
    agents integer,
    steps_per_agent integer,
    steps bigint,
    tokens_in_per_step bigint,
    tokens_out_per_step bigint,
    tokens_per_step bigint,
    tokens_in_total numeric,
    tokens_out_total numeric,
    tokens_total numeric,
    input_usd_per_1m numeric,
    output_usd_per_1m numeric,
    tool_cost_per_step numeric,
    cost_per_step numeric,
    cost_per_agent numeric,
    cost_per_workflow numeric,
    runs_per_day integer,
    monthly_projection numeric
);
COMMENT ON TYPE masecon.workflow_cost IS
    'result of masecon.mas_workflow_cost: token totals, the prices used and the cost per step, agent, workflow run and 30-day month';

-- masecon.mas_evaluate_guardrail: may this agent take one more step?

CREATE FUNCTION masecon.mas_evaluate_guardrail(
    daily_spend numeric,
    daily_budget numeric,
    workflow_spend numeric,
    workflow_budget numeric,
    agent_steps bigint,
    step_limit integer,
    proposed_cost numeric DEFAULT 0,
    unpriced_models text[] DEFAULT '{}',
    warn_threshold numeric DEFAULT 0.8,
    reserved_spend numeric DEFAULT 0,
    workflow_reserved_spend numeric DEFAULT 0)
RETURNS masecon.guardrail_result
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'masecon_guardrail_rules';
COMMENT ON FUNCTION masecon.mas_evaluate_guardrail(numeric, numeric, numeric, numeric, bigint, integer, numeric, text[], numeric, numeric, numeric) IS
    'pure guardrail rules: spends and steps before the step, plus open reservations, proposed_cost and one step; a NULL budget or limit means no limit, a NULL workflow_spend or agent_steps no workflow or agent';

CREATE FUNCTION masecon.mas_evaluate_guardrail(
    customer_id text,
    workflow_id text DEFAULT NULL,
    agent_id text DEFAULT NULL,
    proposed_cost numeric DEFAULT 0,
    at timestamptz DEFAULT pg_catalog.now())
RETURNS masecon.guardrail_result
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    policy masecon.budget_policies;
    zone text := 'UTC';
    day_spend numeric;
    day_unpriced text[];
    flow_spend numeric;
    flow_steps bigint;
    flow_unpriced text[] := '{}';
    reserved record;
BEGIN
    IF mas_evaluate_guardrail.customer_id IS NULL OR mas_evaluate_guardrail.customer_id = '' THEN
        RAISE EXCEPTION 'customer_id must not be null or empty'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the id of the customer whose budget the step spends.';
    END IF;
    IF mas_evaluate_guardrail.proposed_cost IS NULL THEN
        RAISE EXCEPTION 'proposed_cost must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the estimated cost of the next step in USD, or 0.';
    END IF;
    IF mas_evaluate_guardrail.at IS NULL THEN
        RAISE EXCEPTION 'at must not be null'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Omit at to evaluate now.';
    END IF;

    SELECT p.* INTO policy
      FROM masecon.budget_policies AS p
     WHERE p.customer_id = mas_evaluate_guardrail.customer_id;
    IF FOUND THEN
        zone := policy.time_zone;
    END IF;

    SELECT d.spend, d.unpriced_models INTO day_spend, day_unpriced
      FROM masecon.spend_of_day(mas_evaluate_guardrail.customer_id,
                                masecon.policy_day(mas_evaluate_guardrail.at, zone)) AS d;

    IF mas_evaluate_guardrail.workflow_id IS NOT NULL THEN
        SELECT w.spend, w.agent_steps, w.unpriced_models INTO flow_spend, flow_steps, flow_unpriced
          FROM masecon.spend_of_workflow(mas_evaluate_guardrail.customer_id,
                                         mas_evaluate_guardrail.workflow_id,
                                         mas_evaluate_guardrail.agent_id) AS w;
    END IF;

    reserved := masecon.reserved_spend(mas_evaluate_guardrail.customer_id,
                                       mas_evaluate_guardrail.at,
                                       mas_evaluate_guardrail.workflow_id);

    RETURN masecon.mas_evaluate_guardrail(
        daily_spend => day_spend,
        daily_budget => policy.daily_budget_limit,
        workflow_spend => flow_spend,
        workflow_budget => policy.workflow_budget_limit,
        agent_steps => flow_steps,
        step_limit => policy.step_limit_per_agent,
        proposed_cost => mas_evaluate_guardrail.proposed_cost,
        unpriced_models => ARRAY(SELECT DISTINCT m.name
                                   FROM pg_catalog.unnest(day_unpriced || flow_unpriced) AS m(name)
                                  ORDER BY m.name),
        warn_threshold => COALESCE(policy.warn_threshold, 0.8),
        reserved_spend => reserved.spend,
        workflow_reserved_spend => COALESCE(reserved.workflow_spend, 0));
END
$$;
COMMENT ON FUNCTION masecon.mas_evaluate_guardrail(text, text, text, numeric, timestamptz) IS
    'PASS, WARN or BLOCK for one more step of agent_id in workflow_id costing about proposed_cost, from the customer''s policy, stored spend and open reservations; the day is the calendar day of at in the policy''s time zone';

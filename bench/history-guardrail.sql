-- One guardrail call for the workflow that bench/history keeps active.
SELECT masecon.mas_evaluate_guardrail(:customer, :workflow, 'planner', 0.01);

/*-------------------------------------------------------------------------
 *
 * guardrail.c
 *	  The guardrail rules: whether an agent may take one more step, from
 *	  the policy's limits and the spend and steps so far.
 *
 * Spend includes the open reservations and the proposed step, and steps
 * include the proposed step.  The rules, where a NULL
 * limit means no limit and exactly at a limit is not over it:
 *
 *	  BLOCK when workflow spend > workflow budget or daily spend > daily
 *			budget;
 *	  WARN	when daily spend > warn_threshold x daily budget, agent steps >
 *			step limit, or part of the spend is on unpriced models, whose
 *			cost is unknown;
 *	  PASS	otherwise.
 *
 * masecon.mas_evaluate_guardrail(customer_id, ...) reads the figures from
 * the tables and calls this pure form, so the rules live only here.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "budget.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

/* Column numbers of masecon.guardrail_result, from 0. */
enum
{
	GR_SIGNAL,
	GR_REASONS,
	GR_DAILY_SPEND,
	GR_DAILY_BUDGET,
	GR_WORKFLOW_SPEND,
	GR_WORKFLOW_BUDGET,
	GR_AGENT_STEPS,
	GR_STEP_LIMIT,
	GR_PROPOSED_COST,
	GR_WARN_THRESHOLD,
	GR_UNPRICED_MODELS,
	GR_RESERVED_SPEND,
	GR_WORKFLOW_RESERVED_SPEND,
	GR_NUM_COLUMNS
};

/* Arguments of the pure form, from 0. */
enum
{
	ARG_DAILY_SPEND,
	ARG_DAILY_BUDGET,
	ARG_WORKFLOW_SPEND,
	ARG_WORKFLOW_BUDGET,
	ARG_AGENT_STEPS,
	ARG_STEP_LIMIT,
	ARG_PROPOSED_COST,
	ARG_UNPRICED_MODELS,
	ARG_WARN_THRESHOLD,
	ARG_RESERVED_SPEND,
	ARG_WORKFLOW_RESERVED_SPEND
};

/* Labels of masecon.guardrail_signal, in increasing severity. */
typedef enum GuardrailSignal
{
	SIGNAL_PASS,
	SIGNAL_WARN,
	SIGNAL_BLOCK
} GuardrailSignal;

static const char *const signal_labels[] = {"PASS", "WARN", "BLOCK"};

/* Reasons collected while the rules run. */
typedef struct Verdict
{
	GuardrailSignal signal;
	int			nreasons;
	Datum		reasons[5];
} Verdict;

static void
add_reason(Verdict *verdict, GuardrailSignal signal, char *reason)
{
	Assert(verdict->nreasons < lengthof(verdict->reasons));
	verdict->reasons[verdict->nreasons++] = CStringGetTextDatum(reason);
	if (signal > verdict->signal)
		verdict->signal = signal;
}

/*
 * Joins the non-null elements of a text[] with ", ".  Returns NULL when
 * there are none.
 */
static char *
join_model_names(ArrayType *models)
{
	Datum	   *elements;
	bool	   *nulls;
	int			count;
	int			i;
	StringInfoData names;

	if (ARR_NDIM(models) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("unpriced_models must be a one-dimensional array"),
				 errhint("Pass the model names as text[], such as ARRAY['some-model'].")));
	deconstruct_array(models, TEXTOID, -1, false, TYPALIGN_INT,
					  &elements, &nulls, &count);
	initStringInfo(&names);
	for (i = 0; i < count; i++)
	{
		if (nulls[i])
			continue;
		if (names.len > 0)
			appendStringInfoString(&names, ", ");
		appendStringInfoString(&names, TextDatumGetCString(elements[i]));
	}
	return names.len > 0 ? names.data : NULL;
}

/*
 * Returns " (X USD of it reserved)" for a spend that includes reserved > 0,
 * else "".
 */
static char *
reserved_note(Numeric reserved)
{
	if (reserved == NULL ||
		masecon_numeric_cmp(reserved, masecon_int64_numeric(0)) == 0)
		return "";
	return psprintf(" (%s USD of it reserved)", masecon_numeric_display(reserved));
}

PG_FUNCTION_INFO_V1(masecon_guardrail_rules);

/*
 * SQL: masecon.mas_evaluate_guardrail(daily_spend, daily_budget,
 * workflow_spend, workflow_budget, agent_steps, step_limit, proposed_cost,
 * unpriced_models, warn_threshold, reserved_spend, workflow_reserved_spend),
 * the pure form.  Spends and steps are those of stored events before the
 * step; the result adds the open reservations and the step.  A NULL
 * workflow_spend or agent_steps means no workflow or no agent is evaluated.
 */
Datum
masecon_guardrail_rules(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[GR_NUM_COLUMNS];
	bool		nulls[GR_NUM_COLUMNS];
	Verdict		verdict;
	Numeric		daily_spend;
	Numeric		daily_budget;
	Numeric		workflow_spend;
	Numeric		workflow_budget;
	Numeric		proposed_cost;
	Numeric		warn_threshold;
	Numeric		reserved_spend;
	Numeric		workflow_reserved_spend;
	bool		has_agent = !PG_ARGISNULL(ARG_AGENT_STEPS);
	bool		has_step_limit = !PG_ARGISNULL(ARG_STEP_LIMIT);
	int64		agent_steps = 0;
	int32		step_limit = 0;
	char	   *unpriced = NULL;
	bool		daily_over = false;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	daily_spend = masecon_amount_arg(fcinfo, ARG_DAILY_SPEND, "daily_spend", false);
	daily_budget = masecon_amount_arg(fcinfo, ARG_DAILY_BUDGET, "daily_budget", true);
	workflow_spend = masecon_amount_arg(fcinfo, ARG_WORKFLOW_SPEND, "workflow_spend", true);
	workflow_budget = masecon_amount_arg(fcinfo, ARG_WORKFLOW_BUDGET, "workflow_budget", true);
	if (PG_ARGISNULL(ARG_PROPOSED_COST))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("proposed_cost must not be null"),
				 errhint("Pass the estimated cost of the next step in USD, or 0.")));
	proposed_cost = masecon_amount_arg(fcinfo, ARG_PROPOSED_COST, "proposed_cost", false);
	warn_threshold = masecon_fraction_arg(fcinfo, ARG_WARN_THRESHOLD, "warn_threshold", false);
	reserved_spend = masecon_amount_arg(fcinfo, ARG_RESERVED_SPEND, "reserved_spend", false);
	workflow_reserved_spend = masecon_amount_arg(fcinfo, ARG_WORKFLOW_RESERVED_SPEND,
												 "workflow_reserved_spend", false);

	if (has_agent)
	{
		agent_steps = PG_GETARG_INT64(ARG_AGENT_STEPS);
		if (agent_steps < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("agent_steps must not be negative, got " INT64_FORMAT, agent_steps),
					 errhint("Pass the agent's steps so far in this workflow, or NULL for no agent.")));
		/* The proposed step is counted below, so the maximum leaves no room. */
		if (agent_steps == PG_INT64_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("agent_steps is out of range: " INT64_FORMAT, agent_steps),
					 errhint("Pass at most " INT64_FORMAT " steps, so that the proposed step can be counted.",
							 PG_INT64_MAX - 1)));
		agent_steps++;
	}
	if (has_step_limit)
	{
		step_limit = PG_GETARG_INT32(ARG_STEP_LIMIT);
		if (step_limit < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("step_limit must not be negative, got %d", step_limit),
					 errhint("Pass NULL for no step limit.")));
	}
	if (!PG_ARGISNULL(ARG_UNPRICED_MODELS))
		unpriced = join_model_names(PG_GETARG_ARRAYTYPE_P(ARG_UNPRICED_MODELS));

	/* From here on, spends include the open reservations and the step. */
	daily_spend = masecon_numeric_add(masecon_numeric_add(daily_spend, reserved_spend),
									  proposed_cost);
	if (workflow_spend != NULL)
		workflow_spend = masecon_numeric_add(masecon_numeric_add(workflow_spend,
																 workflow_reserved_spend),
											 proposed_cost);
	else
		workflow_reserved_spend = NULL;

	verdict.signal = SIGNAL_PASS;
	verdict.nreasons = 0;

	if (workflow_spend != NULL && workflow_budget != NULL &&
		masecon_numeric_cmp(workflow_spend, workflow_budget) > 0)
		add_reason(&verdict, SIGNAL_BLOCK,
				   psprintf("workflow spend %s USD%s exceeds the workflow budget of %s USD by %s USD",
							masecon_numeric_display(workflow_spend),
							reserved_note(workflow_reserved_spend),
							masecon_numeric_display(workflow_budget),
							masecon_numeric_display(masecon_numeric_sub(workflow_spend,
																		workflow_budget))));

	if (daily_budget != NULL &&
		masecon_numeric_cmp(daily_spend, daily_budget) > 0)
	{
		daily_over = true;
		add_reason(&verdict, SIGNAL_BLOCK,
				   psprintf("daily spend %s USD%s exceeds the daily budget of %s USD by %s USD",
							masecon_numeric_display(daily_spend),
							reserved_note(reserved_spend),
							masecon_numeric_display(daily_budget),
							masecon_numeric_display(masecon_numeric_sub(daily_spend,
																		daily_budget))));
	}

	if (daily_budget != NULL && !daily_over)
	{
		Numeric		warn_at = masecon_numeric_mul(daily_budget, warn_threshold);

		if (masecon_numeric_cmp(daily_spend, warn_at) > 0)
			add_reason(&verdict, SIGNAL_WARN,
					   psprintf("daily spend %s USD%s exceeds %s%% of the daily budget of %s USD (%s USD) by %s USD",
								masecon_numeric_display(daily_spend),
								reserved_note(reserved_spend),
								masecon_numeric_display(masecon_numeric_mul(warn_threshold,
																			masecon_int64_numeric(100))),
								masecon_numeric_display(daily_budget),
								masecon_numeric_display(warn_at),
								masecon_numeric_display(masecon_numeric_sub(daily_spend,
																			warn_at))));
	}

	if (has_agent && has_step_limit && agent_steps > step_limit)
		add_reason(&verdict, SIGNAL_WARN,
				   psprintf("agent steps " INT64_FORMAT " exceed the step limit per agent of %d by " INT64_FORMAT,
							agent_steps, step_limit, agent_steps - step_limit));

	if (unpriced != NULL)
		add_reason(&verdict, SIGNAL_WARN,
				   psprintf("spend on unpriced models is unknown and counted as tool cost only: %s",
							unpriced));

	memset(nulls, 0, sizeof(nulls));
	values[GR_SIGNAL] = masecon_enum_datum(TupleDescAttr(tupdesc, GR_SIGNAL)->atttypid,
										   signal_labels[verdict.signal]);
	values[GR_REASONS] = PointerGetDatum(construct_array(verdict.reasons, verdict.nreasons,
														 TEXTOID, -1, false, TYPALIGN_INT));
	values[GR_DAILY_SPEND] = NumericGetDatum(daily_spend);
	values[GR_DAILY_BUDGET] = daily_budget ? NumericGetDatum(daily_budget) : (Datum) 0;
	nulls[GR_DAILY_BUDGET] = daily_budget == NULL;
	values[GR_WORKFLOW_SPEND] = workflow_spend ? NumericGetDatum(workflow_spend) : (Datum) 0;
	nulls[GR_WORKFLOW_SPEND] = workflow_spend == NULL;
	values[GR_WORKFLOW_BUDGET] = workflow_budget ? NumericGetDatum(workflow_budget) : (Datum) 0;
	nulls[GR_WORKFLOW_BUDGET] = workflow_budget == NULL;
	values[GR_AGENT_STEPS] = Int64GetDatum(agent_steps);
	nulls[GR_AGENT_STEPS] = !has_agent;
	values[GR_STEP_LIMIT] = Int32GetDatum(step_limit);
	nulls[GR_STEP_LIMIT] = !has_step_limit;
	values[GR_PROPOSED_COST] = NumericGetDatum(proposed_cost);
	values[GR_WARN_THRESHOLD] = NumericGetDatum(warn_threshold);
	if (PG_ARGISNULL(ARG_UNPRICED_MODELS))
		values[GR_UNPRICED_MODELS] = PointerGetDatum(construct_empty_array(TEXTOID));
	else
		values[GR_UNPRICED_MODELS] = PG_GETARG_DATUM(ARG_UNPRICED_MODELS);
	values[GR_RESERVED_SPEND] = NumericGetDatum(reserved_spend);
	values[GR_WORKFLOW_RESERVED_SPEND] = workflow_reserved_spend ?
		NumericGetDatum(workflow_reserved_spend) : (Datum) 0;
	nulls[GR_WORKFLOW_RESERVED_SPEND] = workflow_reserved_spend == NULL;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

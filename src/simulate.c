/*-------------------------------------------------------------------------
 *
 * simulate.c
 *	  masecon.mas_workflow_cost: the cost of a workflow before it runs.
 *
 * A workflow of `agents` agents, each taking `steps_per_agent` steps of
 * the given token counts and tool calls, priced at the catalog price that
 * is valid now.  Everything is numeric, so the figures are exact.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "masecon.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

/* Days in the month of monthly_projection. */
#define DAYS_PER_MONTH 30

/* Column numbers of masecon.workflow_cost, from 0. */
enum
{
	WC_MODEL_NAME,
	WC_RESOLVED_MODEL,
	WC_PRICED_AT_MEAN,
	WC_AGENTS,
	WC_STEPS_PER_AGENT,
	WC_STEPS,
	WC_TOKENS_IN_PER_STEP,
	WC_TOKENS_OUT_PER_STEP,
	WC_TOKENS_PER_STEP,
	WC_TOKENS_IN_TOTAL,
	WC_TOKENS_OUT_TOTAL,
	WC_TOKENS_TOTAL,
	WC_INPUT_USD_PER_1M,
	WC_OUTPUT_USD_PER_1M,
	WC_TOOL_COST_PER_STEP,
	WC_COST_PER_STEP,
	WC_COST_PER_AGENT,
	WC_COST_PER_WORKFLOW,
	WC_RUNS_PER_DAY,
	WC_MONTHLY_PROJECTION,
	WC_NUM_COLUMNS
};

/* The arguments of either form, after the checks. */
typedef struct SimulationInput
{
	int32		agents;
	int32		steps_per_agent;
	int64		tokens_in_per_step;
	int64		tokens_out_per_step;
	int64		tokens_per_step;	/* mean-price form only */
	bool		priced_at_mean;
	char	   *model_name;
	int32		tool_calls_per_step;
	Numeric		tool_cost_per_call;
	int32		runs_per_day;
} SimulationInput;

static void
check_count(int64 value, const char *argument)
{
	if (value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative, got " INT64_FORMAT, argument, value),
				 errhint("Counts passed to masecon.mas_workflow_cost are zero or more.")));
}

static void
check_tokens(int64 value, const char *argument)
{
	check_count(value, argument);
	if (value > MASECON_MAX_TOKENS)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range: " INT64_FORMAT, argument, value),
				 errhint("One step has at most " INT64_FORMAT " tokens of each kind.",
						 MASECON_MAX_TOKENS)));
}

static void
check_money(Numeric value, const char *argument)
{
	char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out,
														   NumericGetDatum(value)));

#if PG_VERSION_NUM >= 140000
	if (numeric_is_nan(value) || numeric_is_inf(value))
#else
	if (numeric_is_nan(value))
#endif
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite amount, got %s", argument, text),
				 errhint("Pass the cost of one tool call in USD.")));
	if (DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(value),
										 NumericGetDatum(masecon_int64_numeric(0)))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative, got %s", argument, text),
				 errhint("Pass the cost of one tool call in USD, zero or more.")));
}

static Numeric
numeric_from_cstring(const char *text)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(text),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

static Datum
simulate(FunctionCallInfo fcinfo, SimulationInput *in)
{
	TupleDesc	tupdesc;
	Datum		values[WC_NUM_COLUMNS];
	bool		nulls[WC_NUM_COLUMNS];
	CatalogModel *model;
	const CatalogPrice *price;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	Numeric		steps;
	Numeric		per_step_token_cost;
	Numeric		tool_cost_per_step;
	Numeric		cost_per_step;
	Numeric		cost_per_agent;
	Numeric		cost_per_workflow;
	Numeric		one_millionth = numeric_from_cstring("0.000001");

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	check_count(in->agents, "agents");
	check_count(in->steps_per_agent, "steps_per_agent");
	check_count(in->tool_calls_per_step, "tool_calls_per_step");
	check_count(in->runs_per_day, "runs_per_day");
	check_money(in->tool_cost_per_call, "tool_cost_per_call");
	if (in->priced_at_mean)
		check_tokens(in->tokens_per_step, "tokens_per_step");
	else
	{
		check_tokens(in->tokens_in_per_step, "tokens_in_per_step");
		check_tokens(in->tokens_out_per_step, "tokens_out_per_step");
	}

	model = masecon_resolve_model(in->model_name);
	if (model == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" is not in the price catalog", in->model_name),
				 errhint("Add the model to masecon.model_prices or an alias to masecon.model_aliases.")));
	price = masecon_price_at(model, now);
	if (price == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" has no price valid now", in->model_name),
				 errdetail("Every catalog row of \"%s\" has a later valid_from.", model->name)));

	memset(nulls, 0, sizeof(nulls));
	steps = masecon_int64_numeric((int64) in->agents * in->steps_per_agent);

	if (in->priced_at_mean)
	{
		/* The mean of the input and output price, halved by an exact product. */
		Numeric		mean = masecon_numeric_mul(masecon_numeric_add(price->input, price->output),
											   numeric_from_cstring("0.5"));
		Numeric		tokens = masecon_int64_numeric(in->tokens_per_step);

		per_step_token_cost = masecon_numeric_mul(masecon_numeric_mul(tokens, mean),
												  one_millionth);
		nulls[WC_TOKENS_IN_PER_STEP] = true;
		nulls[WC_TOKENS_OUT_PER_STEP] = true;
		nulls[WC_TOKENS_IN_TOTAL] = true;
		nulls[WC_TOKENS_OUT_TOTAL] = true;
		values[WC_TOKENS_PER_STEP] = Int64GetDatum(in->tokens_per_step);
		values[WC_TOKENS_TOTAL] = NumericGetDatum(masecon_numeric_mul(tokens, steps));
	}
	else
	{
		Numeric		tokens_in = masecon_int64_numeric(in->tokens_in_per_step);
		Numeric		tokens_out = masecon_int64_numeric(in->tokens_out_per_step);

		per_step_token_cost = masecon_token_cost(price, in->tokens_in_per_step,
												 in->tokens_out_per_step, 0, 0);
		values[WC_TOKENS_IN_PER_STEP] = Int64GetDatum(in->tokens_in_per_step);
		values[WC_TOKENS_OUT_PER_STEP] = Int64GetDatum(in->tokens_out_per_step);
		values[WC_TOKENS_PER_STEP] = Int64GetDatum(in->tokens_in_per_step +
												   in->tokens_out_per_step);
		values[WC_TOKENS_IN_TOTAL] = NumericGetDatum(masecon_numeric_mul(tokens_in, steps));
		values[WC_TOKENS_OUT_TOTAL] = NumericGetDatum(masecon_numeric_mul(tokens_out, steps));
		values[WC_TOKENS_TOTAL] =
			NumericGetDatum(masecon_numeric_mul(masecon_numeric_add(tokens_in, tokens_out),
												steps));
	}

	tool_cost_per_step = masecon_numeric_mul(masecon_int64_numeric(in->tool_calls_per_step),
											 in->tool_cost_per_call);
	cost_per_step = masecon_numeric_add(per_step_token_cost, tool_cost_per_step);
	cost_per_agent = masecon_numeric_mul(cost_per_step,
										 masecon_int64_numeric(in->steps_per_agent));
	cost_per_workflow = masecon_numeric_mul(cost_per_agent,
											masecon_int64_numeric(in->agents));

	values[WC_MODEL_NAME] = CStringGetTextDatum(in->model_name);
	values[WC_RESOLVED_MODEL] = CStringGetTextDatum(model->name);
	values[WC_PRICED_AT_MEAN] = BoolGetDatum(in->priced_at_mean);
	values[WC_AGENTS] = Int32GetDatum(in->agents);
	values[WC_STEPS_PER_AGENT] = Int32GetDatum(in->steps_per_agent);
	values[WC_STEPS] = Int64GetDatum((int64) in->agents * in->steps_per_agent);
	values[WC_INPUT_USD_PER_1M] = NumericGetDatum(price->input);
	values[WC_OUTPUT_USD_PER_1M] = NumericGetDatum(price->output);
	values[WC_TOOL_COST_PER_STEP] = NumericGetDatum(masecon_trim_scale(tool_cost_per_step));
	values[WC_COST_PER_STEP] = NumericGetDatum(masecon_trim_scale(cost_per_step));
	values[WC_COST_PER_AGENT] = NumericGetDatum(masecon_trim_scale(cost_per_agent));
	values[WC_COST_PER_WORKFLOW] = NumericGetDatum(masecon_trim_scale(cost_per_workflow));
	values[WC_RUNS_PER_DAY] = Int32GetDatum(in->runs_per_day);
	values[WC_MONTHLY_PROJECTION] =
		NumericGetDatum(masecon_trim_scale(masecon_numeric_mul(cost_per_workflow,
															   masecon_int64_numeric((int64) in->runs_per_day * DAYS_PER_MONTH))));

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

/* Rejects a NULL argument by name; NULL has no cost to simulate. */
static void
check_not_null(FunctionCallInfo fcinfo, const char *const *names, int nargs)
{
	int			i;

	for (i = 0; i < nargs; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", names[i]),
					 errhint("Pass a value, or leave out an argument that has a default.")));
}

PG_FUNCTION_INFO_V1(masecon_workflow_cost);

/*
 * SQL: masecon.mas_workflow_cost(agents, steps_per_agent, tokens_in_per_step,
 * tokens_out_per_step, model, tool_calls_per_step, tool_cost_per_call,
 * runs_per_day), with input and output tokens priced apart.
 */
Datum
masecon_workflow_cost(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {
		"agents", "steps_per_agent", "tokens_in_per_step", "tokens_out_per_step",
		"model", "tool_calls_per_step", "tool_cost_per_call", "runs_per_day"
	};
	SimulationInput in;

	check_not_null(fcinfo, names, lengthof(names));
	in.agents = PG_GETARG_INT32(0);
	in.steps_per_agent = PG_GETARG_INT32(1);
	in.tokens_in_per_step = PG_GETARG_INT64(2);
	in.tokens_out_per_step = PG_GETARG_INT64(3);
	in.tokens_per_step = 0;
	in.priced_at_mean = false;
	in.model_name = text_to_cstring(PG_GETARG_TEXT_PP(4));
	in.tool_calls_per_step = PG_GETARG_INT32(5);
	in.tool_cost_per_call = PG_GETARG_NUMERIC(6);
	in.runs_per_day = PG_GETARG_INT32(7);
	return simulate(fcinfo, &in);
}

PG_FUNCTION_INFO_V1(masecon_workflow_cost_mean);

/*
 * SQL: masecon.mas_workflow_cost(agents, steps_per_agent, tokens_per_step,
 * model, tool_calls_per_step, tool_cost_per_call, runs_per_day), with one
 * token count per step priced at the mean of the input and output price.
 */
Datum
masecon_workflow_cost_mean(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {
		"agents", "steps_per_agent", "tokens_per_step", "model",
		"tool_calls_per_step", "tool_cost_per_call", "runs_per_day"
	};
	SimulationInput in;

	check_not_null(fcinfo, names, lengthof(names));
	in.agents = PG_GETARG_INT32(0);
	in.steps_per_agent = PG_GETARG_INT32(1);
	in.tokens_in_per_step = 0;
	in.tokens_out_per_step = 0;
	in.tokens_per_step = PG_GETARG_INT64(2);
	in.priced_at_mean = true;
	in.model_name = text_to_cstring(PG_GETARG_TEXT_PP(3));
	in.tool_calls_per_step = PG_GETARG_INT32(4);
	in.tool_cost_per_call = PG_GETARG_NUMERIC(5);
	in.runs_per_day = PG_GETARG_INT32(6);
	return simulate(fcinfo, &in);
}

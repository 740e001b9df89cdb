/*-------------------------------------------------------------------------
 *
 * pressure.c
 *	  Daily budget pressure: the forecast of the day's spend and the level
 *	  it gives.
 *
 * The forecast blends the day's run rate with the customer's recent daily
 * average, weighting the run rate by the elapsed fraction f of the day,
 * and projects the blended daily rate over the rest of the day:
 *
 *	  daily rate = f x (spend / f) + (1 - f) x recent_daily_average
 *				 = spend + (1 - f) x recent_daily_average
 *	  forecast	 = spend + (1 - f) x daily rate
 *
 * Early in the day the recent average dominates, so one early event does
 * not project to an overrun.  At the end of the day the forecast is the
 * spend.  The level is RED when the spend or the forecast exceeds the
 * daily budget, AMBER when the forecast exceeds amber_threshold of it,
 * else GREEN; exactly at a limit is not over it.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "budget.h"

#include "utils/builtins.h"

static const char *const level_labels[] = {"GREEN", "AMBER", "RED"};

PG_FUNCTION_INFO_V1(masecon_pressure_forecast);

/*
 * SQL: masecon.mas_pressure_forecast(spend, recent_daily_average,
 * elapsed_fraction) returns the forecast spend for the whole day.
 */
Datum
masecon_pressure_forecast(PG_FUNCTION_ARGS)
{
	Numeric		spend = masecon_amount_arg(fcinfo, 0, "spend", false);
	Numeric		average = masecon_amount_arg(fcinfo, 1, "recent_daily_average", false);
	Numeric		elapsed = masecon_fraction_arg(fcinfo, 2, "elapsed_fraction", true);
	Numeric		remaining = masecon_numeric_sub(masecon_int64_numeric(1), elapsed);
	Numeric		daily_rate;

	daily_rate = masecon_numeric_add(spend, masecon_numeric_mul(remaining, average));
	PG_RETURN_NUMERIC(masecon_trim_scale(masecon_numeric_add(spend,
															 masecon_numeric_mul(remaining,
																				 daily_rate))));
}

PG_FUNCTION_INFO_V1(masecon_pressure_rules);

/*
 * SQL: masecon.mas_pressure(spend, forecast, budget, amber_threshold), the
 * pure form.  A NULL budget means no limit, which is always GREEN.
 */
Datum
masecon_pressure_rules(PG_FUNCTION_ARGS)
{
	Numeric		spend = masecon_amount_arg(fcinfo, 0, "spend", false);
	Numeric		forecast = masecon_amount_arg(fcinfo, 1, "forecast", false);
	Numeric		budget = masecon_amount_arg(fcinfo, 2, "budget", true);
	Numeric		amber_threshold = masecon_fraction_arg(fcinfo, 3, "amber_threshold", false);
	int			level = 0;

	/* A forecast below the spend already made cannot hold, so use the spend. */
	if (masecon_numeric_cmp(forecast, spend) < 0)
		forecast = spend;

	if (budget != NULL)
	{
		if (masecon_numeric_cmp(forecast, budget) > 0)
			level = 2;
		else if (masecon_numeric_cmp(forecast,
									 masecon_numeric_mul(budget, amber_threshold)) > 0)
			level = 1;
	}
	PG_RETURN_DATUM(masecon_enum_datum(get_fn_expr_rettype(fcinfo->flinfo),
									   level_labels[level]));
}

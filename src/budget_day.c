/*-------------------------------------------------------------------------
 *
 * budget_day.c
 *	  The budget day: the calendar day of a policy's time zone that an
 *	  instant falls on, where it starts, and how much of it has passed.
 *
 * The spend look-ups call these once per evaluation, so they are C rather
 * than SQL functions, which PostgreSQL plans on every call when they carry
 * a SET search_path clause.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "budget.h"

#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

static DateADT
local_day(TimestampTz at, text *time_zone)
{
	Datum		local = DirectFunctionCall2(timestamptz_zone, PointerGetDatum(time_zone),
											TimestampTzGetDatum(at));

	return DatumGetDateADT(DirectFunctionCall1(timestamp_date, local));
}

static TimestampTz
day_start(DateADT day, text *time_zone)
{
	Datum		midnight = DirectFunctionCall1(date_timestamp, DateADTGetDatum(day));

	return DatumGetTimestampTz(DirectFunctionCall2(timestamp_zone, PointerGetDatum(time_zone),
												   midnight));
}

static void
check_finite(TimestampTz at)
{
	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("at must be a finite timestamp"),
				 errhint("Pass an instant such as now().")));
}

PG_FUNCTION_INFO_V1(masecon_policy_day);

/* SQL: masecon.policy_day(at, time_zone) */
Datum
masecon_policy_day(PG_FUNCTION_ARGS)
{
	check_finite(PG_GETARG_TIMESTAMPTZ(0));
	PG_RETURN_DATEADT(local_day(PG_GETARG_TIMESTAMPTZ(0), PG_GETARG_TEXT_PP(1)));
}

PG_FUNCTION_INFO_V1(masecon_policy_day_start);

/* SQL: masecon.policy_day_start(day, time_zone) */
Datum
masecon_policy_day_start(PG_FUNCTION_ARGS)
{
	DateADT		day = PG_GETARG_DATEADT(0);

	if (DATE_NOT_FINITE(day))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("day must be a finite date"),
				 errhint("Pass a calendar date such as current_date.")));
	PG_RETURN_TIMESTAMPTZ(day_start(day, PG_GETARG_TEXT_PP(1)));
}

PG_FUNCTION_INFO_V1(masecon_day_fraction);

/*
 * SQL: masecon.day_fraction(at, time_zone) returns the part of at's day
 * that has passed, from 0 at midnight to below 1.  Days are 23 to 25
 * hours long where daylight saving time changes.
 */
Datum
masecon_day_fraction(PG_FUNCTION_ARGS)
{
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(0);
	text	   *time_zone = PG_GETARG_TEXT_PP(1);
	DateADT		day;
	TimestampTz start;
	TimestampTz end;

	check_finite(at);
	day = local_day(at, time_zone);
	start = day_start(day, time_zone);
	end = day_start(day + 1, time_zone);
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div,
										NumericGetDatum(masecon_int64_numeric(at - start)),
										NumericGetDatum(masecon_int64_numeric(end - start))));
}

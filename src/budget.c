/*-------------------------------------------------------------------------
 *
 * budget.c
 *	  Numeric helpers shared by the guardrail, pressure and signal code:
 *	  comparisons, display, and the checks on money and fraction arguments.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "budget.h"

#include "utils/builtins.h"

int
masecon_numeric_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a),
											 NumericGetDatum(b)));
}

Numeric
masecon_numeric_sub(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_sub,
											   NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Numeric
masecon_numeric_from_cstring(const char *text)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(text),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* Formats a value for a message, without trailing fractional zeros. */
char *
masecon_numeric_display(Numeric value)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(masecon_trim_scale(value))));
}

static bool
numeric_is_finite(Numeric value)
{
#if PG_VERSION_NUM >= 140000
	return !numeric_is_nan(value) && !numeric_is_inf(value);
#else
	return !numeric_is_nan(value);
#endif
}

/*
 * Returns argument argno, an amount of USD that must be finite and not
 * negative.  Returns NULL for a NULL argument when nullable, and rejects
 * it otherwise.
 */
Numeric
masecon_amount_arg(FunctionCallInfo fcinfo, int argno, const char *name,
				   bool nullable)
{
	Numeric		value;

	if (PG_ARGISNULL(argno))
	{
		if (nullable)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name),
				 errhint("Pass 0 when nothing was spent.")));
	}
	value = PG_GETARG_NUMERIC(argno);
	if (!numeric_is_finite(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite amount, got %s", name,
						masecon_numeric_display(value)),
				 errhint("Amounts are finite numbers of USD; pass NULL for no limit.")));
	if (masecon_numeric_cmp(value, masecon_int64_numeric(0)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative, got %s", name,
						masecon_numeric_display(value)),
				 errhint("Amounts are zero or more USD.")));
	return value;
}

/*
 * Returns argument argno, a fraction that must not be NULL and must lie
 * in (0, 1], or in [0, 1] when zero_allowed.
 */
Numeric
masecon_fraction_arg(FunctionCallInfo fcinfo, int argno, const char *name,
					 bool zero_allowed)
{
	Numeric		value;
	int			low;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name),
				 errhint("Pass a fraction between 0 and 1.")));
	value = PG_GETARG_NUMERIC(argno);
	if (!numeric_is_finite(value))
		low = -1;
	else
		low = masecon_numeric_cmp(value, masecon_int64_numeric(0));
	if (low < 0 || (low == 0 && !zero_allowed) ||
		masecon_numeric_cmp(value, masecon_int64_numeric(1)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s 0 and at most 1, got %s", name,
						zero_allowed ? "at least" : "above",
						masecon_numeric_display(value)),
				 errhint("Pass a fraction such as 0.8 for 80%%.")));
	return value;
}

/* Returns the value of enum type enumtypid that has the given label. */
Datum
masecon_enum_datum(Oid enumtypid, const char *label)
{
	return DirectFunctionCall2(enum_in, CStringGetDatum(label),
							   ObjectIdGetDatum(enumtypid));
}

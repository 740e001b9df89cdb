/*-------------------------------------------------------------------------
 *
 * budget.h
 *	  Numeric helpers shared by the guardrail, pressure and signal code.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#ifndef MASECON_BUDGET_H
#define MASECON_BUDGET_H

#include "masecon.h"

#include "fmgr.h"

extern int	masecon_numeric_cmp(Numeric a, Numeric b);
extern Numeric masecon_numeric_sub(Numeric a, Numeric b);
extern Numeric masecon_numeric_from_cstring(const char *text);
extern char *masecon_numeric_display(Numeric value);
extern Numeric masecon_amount_arg(FunctionCallInfo fcinfo, int argno,
								  const char *name, bool nullable);
extern Numeric masecon_fraction_arg(FunctionCallInfo fcinfo, int argno,
									const char *name, bool zero_allowed);
extern Datum masecon_enum_datum(Oid enumtypid, const char *label);

#endif							/* MASECON_BUDGET_H */

/*-------------------------------------------------------------------------
 *
 * masecon.c
 *	  Module entry point: settings and cache callbacks.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "masecon.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

int			masecon_unknown_model = UNKNOWN_MODEL_ACCEPT;

/*
 * Read by the install script only, which validates it, so that a bad value
 * fails CREATE EXTENSION instead of being replaced by the default when the
 * library loads.
 */
static char *masecon_partition_events = NULL;

static const struct config_enum_entry unknown_model_options[] = {
	{"accept", UNKNOWN_MODEL_ACCEPT, false},
	{"reject", UNKNOWN_MODEL_REJECT, false},
	{NULL, 0, false}
};

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomEnumVariable("masecon.unknown_model",
							 "Sets what happens to an event whose model is not in the price catalog.",
							 "accept stores it with price_status unpriced or reported; reject raises an error.",
							 &masecon_unknown_model,
							 UNKNOWN_MODEL_ACCEPT,
							 unknown_model_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("masecon.merge_every",
							"Sets how many inserted events make a backend merge the spend rollups.",
							"The merge runs at the first insert of the backend's next transaction; 0 leaves merging to explicit masecon.merge_rollups() calls.",
							&masecon_merge_every,
							1000,
							0, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("masecon.partition_events",
							   "Sets whether CREATE EXTENSION partitions masecon.execution_events, and by what period.",
							   "off makes a plain table; an interval such as 1 month or 7 days makes a table partitioned by range of \"timestamp\" with partitions of that period.  Only CREATE EXTENSION reads it, a restore's included.",
							   &masecon_partition_events,
							   "off",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("masecon.signal_tail_max",
							"Sets how many of a customer's newest events a signal evaluation reads before it moves the customer's counted boundary.",
							"Below the boundary, masecon.signal_state stores the day's spend; each evaluation reads the events at or above it.",
							&masecon_signal_tail_max,
							200,
							1, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("masecon");
#else
	EmitWarningsOnPlaceholders("masecon");
#endif

	masecon_catalog_init();
	masecon_pricing_init();
}

PG_FUNCTION_INFO_V1(masecon_library_version);

/* Returns the version of the loaded shared library. */
Datum
masecon_library_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(MASECON_VERSION));
}

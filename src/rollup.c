/*-------------------------------------------------------------------------
 *
 * rollup.c
 *	  Merging events into the spend rollups from the insert path.
 *
 * Inserts write nothing but the event (see sql/install/35_rollups.sql).  To
 * keep the unmerged tail short, a backend that has inserted
 * masecon.merge_every events since its last merge runs
 * masecon.merge_rollups(false) at the first insert of its next
 * transaction.  The merge skips at once when another transaction is merging,
 * runs in a subtransaction, and a failure is logged as a warning: the event
 * being inserted is never lost because of a merge.  Running it at the start
 * of a transaction rather than in the middle keeps a bulk load from holding
 * the merge lock for its whole length when it can be avoided.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "masecon.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

int			masecon_merge_every = 1000;

static int64 inserts_since_merge = 0;
static LocalTransactionId last_insert_xact = InvalidLocalTransactionId;
static SPIPlanPtr merge_plan = NULL;

static void
run_merge(void)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);

	PG_TRY();
	{
		int			ret;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (merge_plan == NULL)
		{
			SPIPlanPtr	plan = SPI_prepare("SELECT masecon.merge_rollups(false)", 0, NULL);

			if (plan == NULL)
				elog(ERROR, "could not prepare the rollup merge: %s",
					 SPI_result_code_string(SPI_result));
			SPI_keepplan(plan);
			merge_plan = plan;
		}
		ret = SPI_execute_plan(merge_plan, NULL, NULL, false, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not merge the rollups: %s", SPI_result_code_string(ret));
		SPI_finish();

		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();

		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;

		/* The plan may refer to a dropped function; prepare it again. */
		if (merge_plan != NULL)
		{
			SPI_freeplan(merge_plan);
			merge_plan = NULL;
		}

		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("masecon could not merge the spend rollups: %s", edata->message),
				 errdetail("The event was stored; guardrail and dashboard figures stay exact but read more unmerged events until a merge succeeds."),
				 errhint("Run SELECT masecon.merge_rollups(); to see the error in full.")));
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/*
 * Counts an inserted event, and merges the rollups at the first insert of a
 * transaction once masecon.merge_every events have been inserted since the
 * last merge.
 */
void
masecon_rollup_count_insert(void)
{
	LocalTransactionId current = MyProc->lxid;
	bool		first_in_xact = (current != last_insert_xact);

	last_insert_xact = current;
	inserts_since_merge++;

	if (masecon_merge_every > 0 && first_in_xact &&
		inserts_since_merge > masecon_merge_every)
	{
		inserts_since_merge = 0;
		run_merge();
	}
}

/* Length of a spend_buckets bucket, in microseconds. */
#define SPEND_BUCKET_USECS (INT64CONST(15) * USECS_PER_MINUTE)

PG_FUNCTION_INFO_V1(masecon_spend_bucket);

/*
 * SQL: masecon.spend_bucket(timestamptz), the start of the 15-minute UTC
 * bucket that contains the instant.  TimestampTz counts microseconds from
 * 2000-01-01 00:00 UTC, a bucket boundary, so the start is the value rounded
 * down to a multiple of 15 minutes.  The merge calls it for every event.  It
 * is in C because PostgreSQL does not inline a SQL function that sets its
 * own search_path, and such a call cost about 2 microseconds.
 */
Datum
masecon_spend_bucket(PG_FUNCTION_ARGS)
{
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(0);
	int64		offset;

	if (TIMESTAMP_NOT_FINITE(ts))
		PG_RETURN_TIMESTAMPTZ(ts);
	offset = ts % SPEND_BUCKET_USECS;
	if (offset < 0)
		offset += SPEND_BUCKET_USECS;
	PG_RETURN_TIMESTAMPTZ(ts - offset);
}

/*-------------------------------------------------------------------------
 *
 * signals.c
 *	  The statement trigger that sends a NOTIFY on channel masecon_signal
 *	  when an insert worsens a customer's guardrail signal or pressure.
 *
 * The trigger reads the statement's transition table once, collects the
 * customers it touched, and calls masecon.send_signal() for each customer
 * that has a budget policy.  That function evaluates the levels, compares
 * them with the last notified ones and sends the NOTIFY.  Customers with
 * no policy cost one hash look-up per statement: each backend keeps which
 * customers have a policy until a relcache invalidation for
 * masecon.budget_policies arrives, which the statement trigger on that
 * table sends on every change.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "masecon.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

/* Whether a customer has a budget policy, as this backend last read it. */
typedef struct PolicyEntry
{
	char		customer_id[MASECON_KEY_MAX];	/* hash key */
	bool		has_policy;
} PolicyEntry;

#define MAX_POLICY_ENTRIES 16384

/* A customer the statement inserted events for. */
typedef struct TouchedCustomer
{
	char		customer_id[MASECON_KEY_MAX];	/* hash key */
	char	   *workflow_id;	/* workflow of its last inserted event */
	int64		events;
} TouchedCustomer;

int			masecon_signal_tail_max = 200;

static HTAB *policy_entries = NULL;
static Oid	policies_relid = InvalidOid;
static bool callback_registered = false;
static SPIPlanPtr has_policy_plan = NULL;
static SPIPlanPtr send_signal_plan = NULL;

static void
signals_relcache_callback(Datum arg, Oid relid)
{
	if ((relid == InvalidOid || relid == policies_relid) && policy_entries != NULL)
	{
		hash_destroy(policy_entries);
		policy_entries = NULL;
	}
}

static HTAB *
create_customer_hash(const char *name, Size entrysize, MemoryContext context)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MASECON_KEY_MAX;
	ctl.entrysize = entrysize;
	ctl.hcxt = context;
	return hash_create(name, 64, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

static SPIPlanPtr
prepare_plan(const char *query, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(query, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "could not prepare \"%s\": %s", query,
			 SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

/* Returns whether the customer has a budget policy; needs SPI connected. */
static bool
customer_has_policy(const char *customer_id)
{
	PolicyEntry *entry;
	bool		found;
	Datum		arg;
	int			ret;

	if (policy_entries != NULL &&
		hash_get_num_entries(policy_entries) >= MAX_POLICY_ENTRIES)
	{
		hash_destroy(policy_entries);
		policy_entries = NULL;
	}
	if (policy_entries == NULL)
		policy_entries = create_customer_hash("masecon policy customers",
											  sizeof(PolicyEntry),
											  CacheMemoryContext);

	entry = hash_search(policy_entries, customer_id, HASH_FIND, NULL);
	if (entry != NULL)
		return entry->has_policy;

	if (has_policy_plan == NULL)
	{
		Oid			argtypes[1] = {TEXTOID};

		/* Qualified, because the query runs with the caller's search_path. */
		has_policy_plan = prepare_plan("SELECT 1 FROM masecon.budget_policies"
									   " WHERE customer_id OPERATOR(pg_catalog.=) $1",
									   1, argtypes);
	}
	arg = CStringGetTextDatum(customer_id);
	ret = SPI_execute_plan(has_policy_plan, &arg, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not look up the budget policy: %s",
			 SPI_result_code_string(ret));

	/* The look-up may have run invalidations that dropped the hash. */
	if (policy_entries == NULL)
		return SPI_processed > 0;
	entry = hash_search(policy_entries, customer_id, HASH_ENTER, &found);
	entry->has_policy = SPI_processed > 0;
	return entry->has_policy;
}

static void
send_signal(TouchedCustomer *customer)
{
	Datum		args[3];
	int			ret;

	if (send_signal_plan == NULL)
	{
		Oid			argtypes[3] = {TEXTOID, TEXTOID, INT8OID};

		send_signal_plan = prepare_plan("SELECT masecon.send_signal($1, $2, $3)",
										3, argtypes);
	}
	args[0] = CStringGetTextDatum(customer->customer_id);
	args[1] = CStringGetTextDatum(customer->workflow_id);
	args[2] = Int64GetDatum(customer->events);
	ret = SPI_execute_plan(send_signal_plan, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not evaluate the signal: %s", SPI_result_code_string(ret));
}

static int
compare_customers(const void *a, const void *b)
{
	return strcmp((*(TouchedCustomer *const *) a)->customer_id,
				  (*(TouchedCustomer *const *) b)->customer_id);
}

/*
 * Collects the customers of the transition table's rows, with the
 * workflow of each one's last row.  Returns them sorted by customer_id,
 * so that concurrent statements lock signal_state rows in one order.
 */
static TouchedCustomer **
collect_customers(Relation rel, Tuplestorestate *rows, int *count)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			customer_attnum = SPI_fnumber(desc, "customer_id");
	int			workflow_attnum = SPI_fnumber(desc, "workflow_id");
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	HTAB	   *customers = create_customer_hash("masecon touched customers",
												 sizeof(TouchedCustomer),
												 CurrentMemoryContext);
	TouchedCustomer *current = NULL;
	TouchedCustomer **sorted;
	HASH_SEQ_STATUS scan;
	int			readptr;
	int			n = 0;

	if (customer_attnum <= 0 || workflow_attnum <= 0)
		elog(ERROR, "masecon.signal_after_insert() needs columns customer_id and workflow_id");

	/* Read through a pointer of our own, as a scan of the table would. */
	readptr = tuplestore_alloc_read_pointer(rows, 0);
	tuplestore_select_read_pointer(rows, readptr);
	tuplestore_rescan(rows);
	while (tuplestore_gettupleslot(rows, true, false, slot))
	{
		bool		isnull;
		text	   *customer = DatumGetTextPP(slot_getattr(slot, customer_attnum, &isnull));
		text	   *workflow = DatumGetTextPP(slot_getattr(slot, workflow_attnum, &isnull));
		int			len = VARSIZE_ANY_EXHDR(customer);

		/* NOTE: customer ids of MASECON_KEY_MAX bytes or more get no signal. */
		if (len >= MASECON_KEY_MAX)
			continue;

		/* Rows of one customer usually come together; skip the hash then. */
		if (current == NULL || strncmp(current->customer_id, VARDATA_ANY(customer), len) != 0 ||
			current->customer_id[len] != '\0')
		{
			char		key[MASECON_KEY_MAX];
			bool		found;

			memcpy(key, VARDATA_ANY(customer), len);
			key[len] = '\0';
			current = hash_search(customers, key, HASH_ENTER, &found);
			if (!found)
			{
				current->workflow_id = NULL;
				current->events = 0;
			}
		}
		current->events++;
		if (current->workflow_id != NULL)
			pfree(current->workflow_id);
		current->workflow_id = text_to_cstring(workflow);
	}
	ExecDropSingleTupleTableSlot(slot);
	tuplestore_select_read_pointer(rows, 0);

	sorted = palloc(sizeof(TouchedCustomer *) * Max(1, hash_get_num_entries(customers)));
	hash_seq_init(&scan, customers);
	while ((current = hash_seq_search(&scan)) != NULL)
		sorted[n++] = current;
	qsort(sorted, n, sizeof(TouchedCustomer *), compare_customers);
	*count = n;
	return sorted;
}

PG_FUNCTION_INFO_V1(masecon_signal_after_insert);

/*
 * AFTER INSERT statement trigger on masecon.execution_events, with the
 * inserted rows as transition table: evaluates each customer the
 * statement touched that has a budget policy.
 */
Datum
masecon_signal_after_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TouchedCustomer **customers;
	int			count;
	int			i;
	bool		connected = false;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		trigdata->tg_newtable == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("masecon.signal_after_insert() must be called as an AFTER STATEMENT trigger with a NEW TABLE")));

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(signals_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	/* Looked up every time, because the extension may have been recreated. */
	policies_relid = get_relname_relid("budget_policies",
									   RelationGetNamespace(trigdata->tg_relation));

	customers = collect_customers(trigdata->tg_relation, trigdata->tg_newtable, &count);
	for (i = 0; i < count; i++)
	{
		PolicyEntry *cached = NULL;

		/* The common case of a customer known to have no policy needs no SPI. */
		if (policy_entries != NULL)
			cached = hash_search(policy_entries, customers[i]->customer_id,
								 HASH_FIND, NULL);
		if (cached != NULL && !cached->has_policy)
			continue;

		if (!connected)
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			connected = true;
		}
		if (customer_has_policy(customers[i]->customer_id))
			send_signal(customers[i]);
	}
	if (connected)
		SPI_finish();
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(masecon_invalidate_policy_cache);

/*
 * Statement trigger for changes to masecon.budget_policies: queues a
 * relcache invalidation so that every backend drops its cached list of
 * customers with a policy.
 */
Datum
masecon_invalidate_policy_cache(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("masecon.invalidate_policy_cache() must be called as a trigger")));

	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

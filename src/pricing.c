/*-------------------------------------------------------------------------
 *
 * pricing.c
 *	  The trigger that checks and prices execution events, and the cost
 *	  formula it shares with the SQL functions.
 *
 *	  token cost = (tokens_in - cached_tokens_in - cache_write_tokens_in)
 *					 * input price
 *				 + cached_tokens_in * cached input price
 *				 + cache_write_tokens_in * cache write price
 *				 + tokens_out * output price	(prices per 1M tokens)
 *	  execution_cost_total = token cost + tool_cost_total
 *
 * All arithmetic is numeric multiplication and addition, which PostgreSQL
 * performs without rounding, so a stored cost is exact.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "masecon.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "common/hashfn.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

/* Columns of masecon.execution_events the trigger reads or writes. */
typedef enum EventColumn
{
	COL_EXECUTION_ID,
	COL_CUSTOMER_ID,
	COL_WORKFLOW_ID,
	COL_AGENT_ID,
	COL_MODEL_NAME,
	COL_RESOLVED_MODEL,
	COL_TOKENS_IN,
	COL_TOKENS_OUT,
	COL_CACHED_TOKENS_IN,
	COL_CACHE_WRITE_TOKENS_IN,
	COL_TOOL_CALLS,
	COL_TOOL_COST_TOTAL,
	COL_REPORTED_COST,
	COL_EXECUTION_COST_TOTAL,
	COL_PRICE_STATUS,
	COL_LATENCY_MS,
	COL_CONFIDENCE_SCORE,
	COL_TIMESTAMP,
	COL_INGEST_XID,
	NUM_EVENT_COLUMNS
} EventColumn;

static const char *const event_column_names[NUM_EVENT_COLUMNS] = {
	"execution_id", "customer_id", "workflow_id", "agent_id", "model_name",
	"resolved_model", "tokens_in", "tokens_out", "cached_tokens_in",
	"cache_write_tokens_in", "tool_calls", "tool_cost_total", "reported_cost",
	"execution_cost_total", "price_status", "latency_ms", "confidence_score",
	"timestamp", "ingest_xid"
};

/* Attribute numbers of the columns above, looked up once per relation. */
static Oid	event_relid = InvalidOid;
static int	event_attnum[NUM_EVENT_COLUMNS];
static Oid	price_status_typid = InvalidOid;
static Datum price_status_datum[3]; /* priced, unpriced, reported */

enum
{
	STATUS_PRICED,
	STATUS_UNPRICED,
	STATUS_REPORTED
};

/*
 * Owner of each workflow this backend has seen, so that an event without
 * customer_id does not look it up every time.  Only inserts into
 * masecon.workflows leave it valid.  Other changes invalidate it through a
 * statement trigger, and an aborted (sub)transaction clears it because it
 * may have registered workflows that no longer exist.  Row-level security
 * shows each role other workflows, so the cache belongs to the role that
 * filled it and is cleared when the current role changes.
 */
typedef struct WorkflowOwner
{
	char		workflow_id[MASECON_KEY_MAX];
	char		customer_id[MASECON_KEY_MAX];
} WorkflowOwner;

#define MAX_WORKFLOW_OWNERS 16384

static HTAB *workflow_owners = NULL;
static Oid	workflow_owners_role = InvalidOid;
static Oid	workflows_relid = InvalidOid;
static SPIPlanPtr lookup_workflow_plan = NULL;
static SPIPlanPtr register_workflow_plan = NULL;

/* First key of the advisory lock that serializes workflow registration. */
#define WORKFLOW_LOCK_CLASS 0x6d617365	/* "mase" */

static Numeric numeric_one_millionth = NULL;
static Numeric numeric_zero = NULL;

static void pricing_relcache_callback(Datum arg, Oid relid);
static void pricing_xact_callback(XactEvent event, void *arg);
static void pricing_subxact_callback(SubXactEvent event,
									 SubTransactionId mySubid,
									 SubTransactionId parentSubid, void *arg);

void
masecon_pricing_init(void)
{
	CacheRegisterRelcacheCallback(pricing_relcache_callback, (Datum) 0);
	RegisterXactCallback(pricing_xact_callback, NULL);
	RegisterSubXactCallback(pricing_subxact_callback, NULL);
}

static void
clear_workflow_owners(void)
{
	if (workflow_owners != NULL)
	{
		hash_destroy(workflow_owners);
		workflow_owners = NULL;
	}
}

static void
pricing_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == workflows_relid)
		clear_workflow_owners();
	if (relid == InvalidOid || relid == event_relid)
	{
		/* Column numbers and the plans are looked up again on next use. */
		event_relid = InvalidOid;
	}
}

static void
pricing_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		clear_workflow_owners();
}

static void
pricing_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		clear_workflow_owners();
}

Numeric
masecon_numeric_add(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_add,
											   NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Numeric
masecon_numeric_mul(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul,
											   NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Numeric
masecon_int64_numeric(int64 value)
{
	return DatumGetNumeric(DirectFunctionCall1(int8_numeric,
											   Int64GetDatum(value)));
}

/* Drops trailing fractional zeros, so 0.00561500 is stored as 0.005615. */
Numeric
masecon_trim_scale(Numeric value)
{
	return DatumGetNumeric(DirectFunctionCall1(numeric_trim_scale,
											   NumericGetDatum(value)));
}

static Numeric
one_millionth(void)
{
	if (numeric_one_millionth == NULL)
	{
		MemoryContext oldcontext = MemoryContextSwitchTo(TopMemoryContext);

		numeric_one_millionth =
			DatumGetNumeric(DirectFunctionCall3(numeric_in,
												CStringGetDatum("0.000001"),
												ObjectIdGetDatum(InvalidOid),
												Int32GetDatum(-1)));
		MemoryContextSwitchTo(oldcontext);
	}
	return numeric_one_millionth;
}

/* Returns a numeric 0 that lives as long as the backend. */
static Numeric
zero(void)
{
	if (numeric_zero == NULL)
	{
		MemoryContext oldcontext = MemoryContextSwitchTo(TopMemoryContext);

		numeric_zero = masecon_int64_numeric(0);
		MemoryContextSwitchTo(oldcontext);
	}
	return numeric_zero;
}

static bool
numeric_is_zero(Numeric value)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(value),
											 NumericGetDatum(zero()))) == 0;
}

/* Adds count * price to sum; skips the work when count is zero. */
static Numeric
add_tokens(Numeric sum, int64 count, Numeric price)
{
	Numeric		term;

	if (count == 0)
		return sum;
	term = masecon_numeric_mul(masecon_int64_numeric(count), price);
	return sum == NULL ? term : masecon_numeric_add(sum, term);
}

/*
 * Returns the token cost in USD of one step at the given catalog price.
 * The caller has checked that the counts are not negative and that cached
 * and cache-write tokens do not exceed tokens_in.
 */
Numeric
masecon_token_cost(const CatalogPrice *price, int64 tokens_in,
				   int64 tokens_out, int64 cached_tokens_in,
				   int64 cache_write_tokens_in)
{
	int64		fresh_tokens_in = tokens_in - cached_tokens_in - cache_write_tokens_in;
	Numeric		sum = NULL;

#if defined(HAVE_INT128) && PG_VERSION_NUM >= 140000

	/*
	 * With prices scaled to integers, the sum is an exact integer number of
	 * 10^-(scale + 6) USD.  Counts of at most MASECON_MAX_TOKENS (10^12)
	 * times prices below 2^63 cannot overflow 128 bits.  Dropping the
	 * trailing zero digits before the conversion gives the same value and
	 * display scale as numeric_trim_scale gives the numeric result below.
	 */
	if (price->scaled_valid &&
		tokens_in <= MASECON_MAX_TOKENS && tokens_out <= MASECON_MAX_TOKENS &&
		fresh_tokens_in >= 0 && cached_tokens_in >= 0 &&
		cache_write_tokens_in >= 0 && tokens_out >= 0)
	{
		int128		units = (int128) fresh_tokens_in * price->scaled_input +
			(int128) cached_tokens_in * price->scaled_cached_input +
			(int128) cache_write_tokens_in * price->scaled_cache_write +
			(int128) tokens_out * price->scaled_output;
		int			scale = price->scale + 6;

		if (units <= PG_INT64_MAX)
		{
			int64		value = (int64) units;

			while (scale > 0 && value % 10 == 0)
			{
				value /= 10;
				scale--;
			}
			return int64_div_fast_to_numeric(value, scale);
		}
	}
#endif

	sum = add_tokens(sum, fresh_tokens_in, price->input);
	sum = add_tokens(sum, cached_tokens_in, price->cached_input);
	sum = add_tokens(sum, cache_write_tokens_in, price->cache_write);
	sum = add_tokens(sum, tokens_out, price->output);
	if (sum == NULL)
		return masecon_int64_numeric(0);
	return masecon_trim_scale(masecon_numeric_mul(sum, one_millionth()));
}

static void
lookup_event_columns(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < NUM_EVENT_COLUMNS; i++)
	{
		int			attnum = SPI_fnumber(desc, event_column_names[i]);

		if (attnum <= 0)
			elog(ERROR, "masecon.price_event() needs column \"%s\" in table \"%s\"",
				 event_column_names[i], RelationGetRelationName(rel));
		event_attnum[i] = attnum;
	}

	price_status_typid = TupleDescAttr(desc, event_attnum[COL_PRICE_STATUS] - 1)->atttypid;
	price_status_datum[STATUS_PRICED] =
		DirectFunctionCall2(enum_in, CStringGetDatum("priced"),
						 ObjectIdGetDatum(price_status_typid));
	price_status_datum[STATUS_UNPRICED] =
		DirectFunctionCall2(enum_in, CStringGetDatum("unpriced"),
						 ObjectIdGetDatum(price_status_typid));
	price_status_datum[STATUS_REPORTED] =
		DirectFunctionCall2(enum_in, CStringGetDatum("reported"),
						 ObjectIdGetDatum(price_status_typid));

	workflows_relid = get_relname_relid("workflows", RelationGetNamespace(rel));
	event_relid = RelationGetRelid(rel);
}

/* A deformed event row, with the values the checks need. */
typedef struct EventRow
{
	Datum	   *values;
	bool	   *nulls;
} EventRow;

static inline bool
event_isnull(EventRow *row, EventColumn column)
{
	return row->nulls[event_attnum[column] - 1];
}

static inline Datum
event_value(EventRow *row, EventColumn column)
{
	return row->values[event_attnum[column] - 1];
}

static inline void
event_set(EventRow *row, EventColumn column, Datum value, bool isnull)
{
	row->values[event_attnum[column] - 1] = value;
	row->nulls[event_attnum[column] - 1] = isnull;
}

/*
 * PostgreSQL runs an UPDATE that moves an event to another partition of a
 * partitioned masecon.execution_events as a DELETE and an INSERT, and fires
 * the BEFORE INSERT trigger on the destination with the row that the BEFORE
 * UPDATE trigger returned.  Each update records the command and the key of
 * its row here, so that such an insert is recognized as the same event.
 */
static TransactionId moved_xid = InvalidTransactionId;
static CommandId moved_command = InvalidCommandId;
static uint64 moved_key = 0;

/* Hash of the event's (customer_id, execution_id). */
static uint64
event_key_hash(EventRow *row)
{
	text	   *customer = DatumGetTextPP(event_value(row, COL_CUSTOMER_ID));
	text	   *execution = DatumGetTextPP(event_value(row, COL_EXECUTION_ID));
	uint64		hash;

	hash = hash_bytes_extended((const unsigned char *) VARDATA_ANY(customer),
							   VARSIZE_ANY_EXHDR(customer), 0);
	return hash_bytes_extended((const unsigned char *) VARDATA_ANY(execution),
							   VARSIZE_ANY_EXHDR(execution), hash);
}

/* Returns a required text column, rejecting NULL and the empty string. */
static char *
required_text(EventRow *row, EventColumn column, const char *hint)
{
	const char *name = event_column_names[column];
	char	   *value;

	if (event_isnull(row, column))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"%s\" of an execution event", name),
				 errhint("%s", hint)));
	value = TextDatumGetCString(event_value(row, column));
	if (value[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("empty value in column \"%s\" of an execution event", name),
				 errhint("%s", hint)));
	return value;
}

/* Returns a token count, rejecting NULL, negative and implausible values. */
static int64
token_count(EventRow *row, EventColumn column)
{
	const char *name = event_column_names[column];
	int64		value;

	if (event_isnull(row, column))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"%s\" of an execution event", name),
				 errhint("Send 0 when there are no such tokens, or omit the column.")));
	value = DatumGetInt64(event_value(row, column));
	if (value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("negative value " INT64_FORMAT " in column \"%s\" of an execution event",
						value, name),
				 errhint("Token counts are zero or more.")));
	if (value > MASECON_MAX_TOKENS)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value " INT64_FORMAT " in column \"%s\" of an execution event is out of range",
						value, name),
				 errdetail("One event reports at most " INT64_FORMAT " tokens of each kind.",
						   MASECON_MAX_TOKENS),
				 errhint("Check that the producer sends a count of tokens, not a sum over many steps or a cost.")));
	return value;
}

static bool
numeric_is_special(Numeric value)
{
#if PG_VERSION_NUM >= 140000
	return numeric_is_nan(value) || numeric_is_inf(value);
#else
	return numeric_is_nan(value);
#endif
}

/*
 * Checks an optional money column: finite and not negative.  Returns NULL
 * when the column is NULL.
 */
static Numeric
money_value(EventRow *row, EventColumn column)
{
	const char *name = event_column_names[column];
	Numeric		value;

	if (event_isnull(row, column))
		return NULL;
	value = DatumGetNumeric(event_value(row, column));
	if (numeric_is_special(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value %s in column \"%s\" of an execution event",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value))),
						name),
				 errhint("Costs are finite amounts of USD.")));
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(value),
										  NumericGetDatum(zero()))) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("negative value %s in column \"%s\" of an execution event",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value))),
						name),
				 errhint("Costs are zero or more USD.")));
	return value;
}

static void
check_event_values(EventRow *row, int64 *tokens)
{
	int64		cached = tokens[2];
	int64		cache_write = tokens[3];

	if (cached + cache_write > tokens[0])
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("cached_tokens_in (" INT64_FORMAT ") plus cache_write_tokens_in (" INT64_FORMAT ") exceed tokens_in (" INT64_FORMAT ")",
						cached, cache_write, tokens[0]),
				 errdetail("tokens_in counts all input tokens, cached and cache-write tokens included."),
				 errhint("For Anthropic usage, send tokens_in = input_tokens + cache_read_input_tokens + cache_creation_input_tokens.")));

	if (event_isnull(row, COL_TOOL_CALLS))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"tool_calls\" of an execution event"),
				 errhint("Send 0 when the step made no tool calls, or omit the column.")));
	if (DatumGetInt32(event_value(row, COL_TOOL_CALLS)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("negative value %d in column \"tool_calls\" of an execution event",
						DatumGetInt32(event_value(row, COL_TOOL_CALLS))),
				 errhint("Tool call counts are zero or more.")));

	if (!event_isnull(row, COL_LATENCY_MS) &&
		DatumGetInt32(event_value(row, COL_LATENCY_MS)) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("negative value %d in column \"latency_ms\" of an execution event",
						DatumGetInt32(event_value(row, COL_LATENCY_MS))),
				 errhint("Latency is a duration in milliseconds, zero or more.")));

	if (!event_isnull(row, COL_CONFIDENCE_SCORE))
	{
		double		score = DatumGetFloat8(event_value(row, COL_CONFIDENCE_SCORE));

		if (isnan(score) || score < 0.0 || score > 1.0)
			ereport(ERROR,
					(errcode(ERRCODE_CHECK_VIOLATION),
					 errmsg("value %g in column \"confidence_score\" of an execution event is outside 0 to 1",
							score),
					 errhint("Send a confidence between 0 and 1, or NULL when there is none.")));
	}

	if (event_isnull(row, COL_TIMESTAMP))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"timestamp\" of an execution event"),
				 errhint("Omit the column to use the current time.")));
	if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(event_value(row, COL_TIMESTAMP))))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("infinite value in column \"timestamp\" of an execution event"),
				 errhint("Send the instant the step ran.")));
}

static void
prepare_workflow_plans(void)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};

	if (lookup_workflow_plan == NULL)
	{
		/*
		 * The operators are qualified because the query runs with the
		 * caller's search_path, which may put another schema's = first.
		 */
		SPIPlanPtr	plan = SPI_prepare("SELECT customer_id FROM masecon.workflows"
									   " WHERE workflow_id OPERATOR(pg_catalog.=) $1"
									   " ORDER BY customer_id OPERATOR(pg_catalog.=) $2 DESC NULLS LAST"
									   " LIMIT 2",
									   2, argtypes);

		if (plan == NULL)
			elog(ERROR, "could not prepare workflow look-up: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		lookup_workflow_plan = plan;
	}
	if (register_workflow_plan == NULL)
	{
		Oid			register_types[3] = {TEXTOID, TEXTOID, TIMESTAMPTZOID};
		SPIPlanPtr	plan = SPI_prepare("INSERT INTO masecon.workflows"
									   " (customer_id, workflow_id, created_at)"
									   " VALUES ($1, $2, $3)"
									   " ON CONFLICT DO NOTHING",
									   3, register_types);

		if (plan == NULL)
			elog(ERROR, "could not prepare workflow registration: %s",
				 SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		register_workflow_plan = plan;
	}
}

/*
 * Looks up the owners of a workflow, the given customer first when it is
 * one of them.  Returns how many owners there are (0, 1, or 2 for two or
 * more) and the first in *owner.
 */
static int
lookup_workflow_owner(const char *workflow_id, const char *customer_id,
					  char **owner)
{
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	int			ret;
	int			count;

	args[0] = CStringGetTextDatum(workflow_id);
	if (customer_id != NULL)
		args[1] = CStringGetTextDatum(customer_id);
	else
	{
		args[1] = (Datum) 0;
		nulls[1] = 'n';
	}
	ret = SPI_execute_plan(lookup_workflow_plan, args, nulls, false, 2);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not look up workflow: %s", SPI_result_code_string(ret));
	count = (int) SPI_processed;
	*owner = NULL;
	if (count > 0)
		*owner = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	return count;
}

static void
remember_workflow_owner(const char *workflow_id, const char *customer_id)
{
	WorkflowOwner *entry;
	bool		found;

	if (strlen(workflow_id) >= MASECON_KEY_MAX ||
		strlen(customer_id) >= MASECON_KEY_MAX)
		return;

	if (workflow_owners != NULL &&
		hash_get_num_entries(workflow_owners) >= MAX_WORKFLOW_OWNERS)
		clear_workflow_owners();
	if (workflow_owners == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = MASECON_KEY_MAX;
		ctl.entrysize = sizeof(WorkflowOwner);
		ctl.hcxt = CacheMemoryContext;
		workflow_owners = hash_create("masecon workflow owners", 256, &ctl,
									  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		workflow_owners_role = GetUserId();
	}
	entry = hash_search(workflow_owners, workflow_id, HASH_ENTER, &found);
	strlcpy(entry->customer_id, customer_id, MASECON_KEY_MAX);
}

static const char *
cached_workflow_owner(const char *workflow_id)
{
	WorkflowOwner *entry;

	if (workflow_owners == NULL || strlen(workflow_id) >= MASECON_KEY_MAX)
		return NULL;
	if (workflow_owners_role != GetUserId())
	{
		clear_workflow_owners();
		return NULL;
	}
	entry = hash_search(workflow_owners, workflow_id, HASH_FIND, NULL);
	return entry != NULL ? entry->customer_id : NULL;
}

/*
 * Returns the customer an event belongs to.  With no customer_id, the
 * workflow must exist and belong to exactly one customer.  With one, the
 * workflow is registered for that customer when it is new, and the event
 * is rejected when the workflow belongs to another customer.
 */
static char *
resolve_customer(const char *workflow_id, const char *customer_id,
				 TimestampTz at)
{
	const char *cached = cached_workflow_owner(workflow_id);
	char	   *owner;
	char	   *result;
	int			owners;

	if (cached != NULL)
	{
		if (customer_id == NULL)
			return pstrdup(cached);
		if (strcmp(cached, customer_id) == 0)
			return pstrdup(customer_id);
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	prepare_workflow_plans();

	owners = lookup_workflow_owner(workflow_id, customer_id, &owner);

	if (owners == 0 && customer_id != NULL)
	{
		Datum		args[3];
		int			ret;

		/*
		 * Serialize registrations of one workflow id, so that two sessions
		 * cannot register it for two customers at once.
		 */
		DirectFunctionCall2(pg_advisory_xact_lock_int4,
							Int32GetDatum(WORKFLOW_LOCK_CLASS),
							Int32GetDatum(DatumGetInt32(DirectFunctionCall1Coll(hashtext, C_COLLATION_OID,
																				CStringGetTextDatum(workflow_id)))));
		owners = lookup_workflow_owner(workflow_id, customer_id, &owner);
		if (owners == 0)
		{
			args[0] = CStringGetTextDatum(customer_id);
			args[1] = CStringGetTextDatum(workflow_id);
			args[2] = TimestampTzGetDatum(at);
			ret = SPI_execute_plan(register_workflow_plan, args, NULL, false, 0);
			if (ret != SPI_OK_INSERT)
				elog(ERROR, "could not register workflow: %s",
					 SPI_result_code_string(ret));
			owners = 1;
			owner = (char *) customer_id;
		}
	}

	if (owners == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("workflow \"%s\" does not exist", workflow_id),
				 errhint("Send customer_id with the workflow's first event, or insert the workflow into masecon.workflows first.")));

	if (customer_id != NULL && strcmp(owner, customer_id) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("workflow \"%s\" belongs to customer \"%s\", not to customer \"%s\"",
						workflow_id, owner, customer_id),
				 errhint("Send the workflow's own customer_id, or omit customer_id to fill it from the workflow.")));

	if (customer_id == NULL && owners > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("workflow \"%s\" belongs to more than one customer", workflow_id),
				 errhint("Send customer_id with the event.")));

	if (owners == 1)
		remember_workflow_owner(workflow_id, owner);

	/* Copy out of the SPI context before it goes away. */
	result = SPI_palloc(strlen(owner) + 1);
	strcpy(result, owner);
	SPI_finish();
	return result;
}

/* The price an event gets, as the trigger and masecon.event_price() compute it. */
typedef struct EventPrice
{
	Numeric		cost;
	int			status;
	CatalogModel *model;
} EventPrice;

/*
 * Prices one event.  An unknown model, or a known one with no price row
 * valid at the event's timestamp, leaves model NULL; the cost is then the
 * producer's reported cost when there is one, else the tool cost alone.
 */
static EventPrice
price_event_values(const char *model_name, TimestampTz at, int64 *tokens,
				   Numeric tool_cost, Numeric reported_cost)
{
	EventPrice	result;
	CatalogModel *model = masecon_resolve_model(model_name);
	const CatalogPrice *price = model != NULL ? masecon_price_at(model, at) : NULL;

	if (price != NULL)
	{
		Numeric		token_cost = masecon_token_cost(price, tokens[0], tokens[1],
													tokens[2], tokens[3]);

		/* token_cost is trimmed already, so adding 0 would change nothing. */
		if (numeric_is_zero(tool_cost))
			result.cost = token_cost;
		else
			result.cost = masecon_trim_scale(masecon_numeric_add(token_cost, tool_cost));
		result.status = STATUS_PRICED;
		result.model = model;
	}
	else if (reported_cost != NULL)
	{
		result.cost = reported_cost;
		result.status = STATUS_REPORTED;
		result.model = NULL;
	}
	else
	{
		result.cost = tool_cost;
		result.status = STATUS_UNPRICED;
		result.model = NULL;
	}
	return result;
}

static void
reject_unknown_model(const char *model_name, const CatalogModel *model,
					 TimestampTz at)
{
	if (model == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" is not in the price catalog", model_name),
				 errdetail("masecon.unknown_model is set to reject."),
				 errhint("Add the model to masecon.model_prices or an alias to masecon.model_aliases, or set masecon.unknown_model to accept.")));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("model \"%s\" has no price valid at %s", model_name,
					timestamptz_to_str(at)),
			 errdetail("masecon.unknown_model is set to reject, and every catalog row of \"%s\" has a later valid_from.",
					   model->name),
			 errhint("Add a row to masecon.model_prices with an earlier valid_from.")));
}

PG_FUNCTION_INFO_V1(masecon_price_event);

/*
 * BEFORE INSERT OR UPDATE row trigger on masecon.execution_events: checks
 * the row, fills customer_id from the workflow, and sets resolved_model,
 * execution_cost_total and price_status.
 */
Datum
masecon_price_event(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tuple;
	HeapTuple	newtuple;
	EventRow	row;
	bool		is_insert;
	bool		moved = false;
	char	   *workflow_id;
	char	   *model_name;
	char	   *customer_id = NULL;
	int64		tokens[4];
	Numeric		tool_cost;
	Numeric		reported_cost;
	TimestampTz at;
	EventPrice	price;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("masecon.price_event() must be called as a BEFORE ROW trigger")));

	is_insert = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	if (!is_insert && !TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("masecon.price_event() must be fired by INSERT or UPDATE")));

	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	tuple = is_insert ? trigdata->tg_trigtuple : trigdata->tg_newtuple;

	if (event_relid != RelationGetRelid(rel))
		lookup_event_columns(rel);

	row.values = palloc(sizeof(Datum) * desc->natts);
	row.nulls = palloc(sizeof(bool) * desc->natts);
	heap_deform_tuple(tuple, desc, row.values, row.nulls);

	workflow_id = required_text(&row, COL_WORKFLOW_ID,
								"Every event names the workflow run it belongs to.");
	model_name = required_text(&row, COL_MODEL_NAME,
							   "Send the model identifier the API call used, such as gpt-4o.");
	if (!event_isnull(&row, COL_CUSTOMER_ID))
		customer_id = required_text(&row, COL_CUSTOMER_ID,
									"Send the customer's id, or omit the column to fill it from the workflow.");
	if (!event_isnull(&row, COL_AGENT_ID) &&
		VARSIZE_ANY_EXHDR(DatumGetTextPP(event_value(&row, COL_AGENT_ID))) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("empty value in column \"agent_id\" of an execution event"),
				 errhint("Send the agent's id, or NULL when the step has no agent.")));
	if (event_isnull(&row, COL_EXECUTION_ID))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"execution_id\" of an execution event"),
				 errhint("Omit the column to get a new UUID.")));

	tokens[0] = token_count(&row, COL_TOKENS_IN);
	tokens[1] = token_count(&row, COL_TOKENS_OUT);
	tokens[2] = token_count(&row, COL_CACHED_TOKENS_IN);
	tokens[3] = token_count(&row, COL_CACHE_WRITE_TOKENS_IN);
	check_event_values(&row, tokens);
	at = DatumGetTimestampTz(event_value(&row, COL_TIMESTAMP));

	if (event_isnull(&row, COL_TOOL_COST_TOTAL))
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"tool_cost_total\" of an execution event"),
				 errhint("Send 0 when the step's tools cost nothing, or omit the column.")));
	tool_cost = money_value(&row, COL_TOOL_COST_TOTAL);

	if (is_insert && moved_command != InvalidCommandId &&
		!event_isnull(&row, COL_CUSTOMER_ID) &&
		moved_xid == GetTopTransactionIdIfAny() &&
		moved_command == GetCurrentCommandId(false) &&
		moved_key == event_key_hash(&row))
	{
		moved = true;
		moved_command = InvalidCommandId;
	}

	/*
	 * On insert, a cost the producer sent is kept as reported_cost; the
	 * stored execution_cost_total is always computed here.  An event that
	 * an update moves carries the cost computed for it, not a reported one.
	 */
	reported_cost = money_value(&row, COL_REPORTED_COST);
	if (is_insert && !moved && reported_cost == NULL)
	{
		reported_cost = money_value(&row, COL_EXECUTION_COST_TOTAL);
		if (reported_cost != NULL)
			event_set(&row, COL_REPORTED_COST, NumericGetDatum(reported_cost), false);
	}

	/* Workflow ownership is checked on insert and when an update moves it. */
	if (is_insert)
		customer_id = resolve_customer(workflow_id, customer_id, at);
	else
	{
		HeapTuple	oldtuple = trigdata->tg_trigtuple;
		bool		isnull;
		Datum		old_workflow = heap_getattr(oldtuple, event_attnum[COL_WORKFLOW_ID],
												desc, &isnull);
		Datum		old_customer = heap_getattr(oldtuple, event_attnum[COL_CUSTOMER_ID],
												desc, &isnull);

		if (customer_id == NULL ||
			strcmp(TextDatumGetCString(old_workflow), workflow_id) != 0 ||
			strcmp(TextDatumGetCString(old_customer), customer_id) != 0)
			customer_id = resolve_customer(workflow_id, customer_id, at);
	}
	/* A customer_id the event carried is kept as it is: it was checked. */
	if (event_isnull(&row, COL_CUSTOMER_ID))
		event_set(&row, COL_CUSTOMER_ID, CStringGetTextDatum(customer_id), false);

	price = price_event_values(model_name, at, tokens, tool_cost, reported_cost);
	if (price.status != STATUS_PRICED && is_insert && !moved &&
		masecon_unknown_model == UNKNOWN_MODEL_REJECT)
		reject_unknown_model(model_name, masecon_resolve_model(model_name), at);

	event_set(&row, COL_EXECUTION_COST_TOTAL, NumericGetDatum(price.cost), false);
	event_set(&row, COL_PRICE_STATUS, price_status_datum[price.status], false);
	if (price.model != NULL)
		event_set(&row, COL_RESOLVED_MODEL, PointerGetDatum(price.model->name_text), false);
	else
		event_set(&row, COL_RESOLVED_MODEL, (Datum) 0, true);

	/*
	 * The rollup merge finds events by the transaction that inserted them.
	 * An update keeps the value, because the update trigger accounts for
	 * the old version in the rollups.  An event moved to another partition
	 * takes the updating transaction's id: the update trigger subtracts
	 * its old version, and the next merge counts it in its new place.
	 */
	if (is_insert)
		event_set(&row, COL_INGEST_XID,
				  Int64GetDatum((int64) U64FromFullTransactionId(GetTopFullTransactionId())),
				  false);
	else
	{
		bool		isnull;

		event_set(&row, COL_INGEST_XID,
				  heap_getattr(trigdata->tg_trigtuple, event_attnum[COL_INGEST_XID],
							   desc, &isnull),
				  false);
	}

	if (!is_insert)
	{
		/* An update writes, so assigning the id here costs nothing. */
		moved_xid = GetTopTransactionId();
		moved_command = GetCurrentCommandId(false);
		moved_key = event_key_hash(&row);
	}

	newtuple = heap_form_tuple(desc, row.values, row.nulls);
	/* Keep the system columns the executor set on the original tuple. */
	newtuple->t_self = tuple->t_self;
	newtuple->t_tableOid = tuple->t_tableOid;

	if (is_insert)
		masecon_rollup_count_insert();
	return PointerGetDatum(newtuple);
}

PG_FUNCTION_INFO_V1(masecon_event_price);

/*
 * SQL: masecon.event_price(model_name, at, tokens_in, tokens_out,
 * cached_tokens_in, cache_write_tokens_in, tool_cost_total, reported_cost)
 * returns (execution_cost_total, price_status, resolved_model) exactly as
 * the trigger would store them.
 */
Datum
masecon_event_price(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	char	   *model_name;
	int64		tokens[4];
	Numeric		tool_cost;
	Numeric		reported_cost;
	EventPrice	price;
	const char *status_names[3] = {"priced", "unpriced", "reported"};
	int			i;

	for (i = 0; i < 7; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of masecon.event_price() must not be null", i + 1)));

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	model_name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	for (i = 0; i < 4; i++)
	{
		tokens[i] = PG_GETARG_INT64(i + 2);
		if (tokens[i] < 0 || tokens[i] > MASECON_MAX_TOKENS)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("token count " INT64_FORMAT " is out of range", tokens[i]),
					 errhint("Token counts are between 0 and " INT64_FORMAT ".",
							 MASECON_MAX_TOKENS)));
	}
	if (tokens[2] + tokens[3] > tokens[0])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cached_tokens_in (" INT64_FORMAT ") plus cache_write_tokens_in (" INT64_FORMAT ") exceed tokens_in (" INT64_FORMAT ")",
						tokens[2], tokens[3], tokens[0])));
	tool_cost = PG_GETARG_NUMERIC(6);
	reported_cost = PG_ARGISNULL(7) ? NULL : PG_GETARG_NUMERIC(7);

	price = price_event_values(model_name, PG_GETARG_TIMESTAMPTZ(1), tokens,
							   tool_cost, reported_cost);

	values[0] = NumericGetDatum(price.cost);
	values[1] = DirectFunctionCall2(enum_in, CStringGetDatum(status_names[price.status]),
									ObjectIdGetDatum(TupleDescAttr(tupdesc, 1)->atttypid));
	if (price.model != NULL)
		values[2] = CStringGetTextDatum(price.model->name);
	else
		nulls[2] = true;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

PG_FUNCTION_INFO_V1(masecon_invalidate_workflow_cache);

/*
 * Statement trigger for UPDATE, DELETE and TRUNCATE on masecon.workflows:
 * queue a relcache invalidation so that every backend drops its cached
 * workflow owners.
 */
Datum
masecon_invalidate_workflow_cache(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("masecon.invalidate_workflow_cache() must be called as a trigger")));

	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Backend-local copy of the price catalog and model-name resolution.
 *
 * The pricing trigger must not query masecon.model_prices for every row,
 * so each backend loads the catalog and the aliases once into hash tables
 * and keeps them until a relcache invalidation for either table arrives.
 * The statement triggers on both tables send that invalidation (see
 * masecon_invalidate_catalog_cache), so every session, the changing one
 * included, reloads before its next insert, and a rolled-back change is
 * undone the same way when PostgreSQL replays the invalidation at abort.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "masecon.h"

#include <ctype.h>

#include "catalog/namespace.h"
#include "common/int.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "storage/sinval.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

/* An alias and the catalog model it stands for (NULL when it has no rows). */
typedef struct AliasEntry
{
	char		alias[MASECON_KEY_MAX];
	CatalogModel *model;
} AliasEntry;

/* A model name as producers sent it, and what it resolved to. */
typedef struct ResolvedName
{
	char		name[MASECON_KEY_MAX];
	CatalogModel *model;
} ResolvedName;

/* Producer spellings seen by one backend are few; past this, start over. */
#define MAX_RESOLVED_NAMES 4096

static MemoryContext catalog_context = NULL;
static HTAB *catalog_models = NULL;
static HTAB *catalog_aliases = NULL;
static HTAB *resolved_names = NULL;
static bool catalog_valid = false;
static Oid	model_prices_relid = InvalidOid;
static Oid	model_aliases_relid = InvalidOid;

static void catalog_relcache_callback(Datum arg, Oid relid);
static void load_catalog(void);

void
masecon_catalog_init(void)
{
	CacheRegisterRelcacheCallback(catalog_relcache_callback, (Datum) 0);
}

/*
 * Forget the cached catalog when either catalog table changes, or when all
 * relcache entries are flushed (relid is InvalidOid then).
 */
static void
catalog_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid ||
		relid == model_prices_relid ||
		relid == model_aliases_relid)
		catalog_valid = false;
}

static HTAB *
create_string_hash(const char *name, Size entrysize, long nelem)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MASECON_KEY_MAX;
	ctl.entrysize = entrysize;
	ctl.hcxt = catalog_context;
	return hash_create(name, nelem, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

/*
 * Sets *scaled and *scale so that value = *scaled / 10^*scale, with no
 * trailing zero digit in *scaled when *scale is above 0.  Returns false
 * when the value is negative, NaN or infinite, or its digits do not fit in
 * an int64.
 */
static bool
numeric_to_scaled(Numeric value, int64 *scaled, int *scale)
{
	char	   *text;
	const char *p;
	int64		digits = 0;
	int			fraction_digits = 0;
	bool		in_fraction = false;
	bool		valid = true;

	if (numeric_is_nan(value))
		return false;
#if PG_VERSION_NUM >= 140000
	if (numeric_is_inf(value))
		return false;
#endif

	text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value)));
	for (p = text; *p != '\0' && valid; p++)
	{
		if (*p == '.' && !in_fraction)
			in_fraction = true;
		else if (!isdigit((unsigned char) *p) || digits > (PG_INT64_MAX - 9) / 10)
			valid = false;
		else
		{
			digits = digits * 10 + (*p - '0');
			if (in_fraction)
				fraction_digits++;
		}
	}
	pfree(text);
	if (!valid)
		return false;

	while (fraction_digits > 0 && digits % 10 == 0)
	{
		digits /= 10;
		fraction_digits--;
	}
	*scaled = digits;
	*scale = fraction_digits;
	return true;
}

/* Multiplies *value by 10^exponent; returns false on overflow. */
static bool
scale_up(int64 *value, int exponent)
{
	while (exponent-- > 0)
		if (pg_mul_s64_overflow(*value, 10, value))
			return false;
	return true;
}

/*
 * Fills the scaled_* fields of a price row from its Numeric prices.  When a
 * price does not fit in an int64 at the common scale, it clears
 * scaled_valid instead, and the trigger uses numeric arithmetic for the row.
 */
static void
set_scaled_prices(CatalogPrice *price)
{
	Numeric		prices[4] = {price->input, price->output,
	price->cached_input, price->cache_write};
	int64		scaled[4];
	int			scales[4];
	int			scale = 0;
	int			i;

	price->scaled_valid = false;
	for (i = 0; i < 4; i++)
	{
		if (!numeric_to_scaled(prices[i], &scaled[i], &scales[i]))
			return;
		scale = Max(scale, scales[i]);
	}
	for (i = 0; i < 4; i++)
		if (!scale_up(&scaled[i], scale - scales[i]))
			return;

	price->scale = scale;
	price->scaled_input = scaled[0];
	price->scaled_output = scaled[1];
	price->scaled_cached_input = scaled[2];
	price->scaled_cache_write = scaled[3];
	price->scaled_valid = true;
}

/* Copy a numeric SPI result column into the catalog context. */
static Numeric
copy_numeric(HeapTuple tuple, TupleDesc desc, int column, bool *isnull)
{
	Datum		value = SPI_getbinval(tuple, desc, column, isnull);

	if (*isnull)
		return NULL;
	return DatumGetNumericCopy(value);
}

static void
load_models(void)
{
	int			ret;
	uint64		i;
	CatalogModel *current = NULL;
	int			allocated = 0;

	ret = SPI_execute("SELECT model_name, provider, input_usd_per_1m, output_usd_per_1m,"
					  " cached_input_usd_per_1m, cache_write_usd_per_1m, valid_from"
					  " FROM masecon.model_prices"
					  " ORDER BY model_name, valid_from",
					  false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read masecon.model_prices: %s",
			 SPI_result_code_string(ret));

	catalog_models = create_string_hash("masecon catalog models",
										sizeof(CatalogModel),
										Max(SPI_processed, 16));

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *name = SPI_getvalue(tuple, desc, 1);
		MemoryContext oldcontext;
		CatalogPrice *price;
		bool		isnull;
		bool		found;

		/* Names this long are rejected by the catalog check; skip any left. */
		if (strlen(name) >= MASECON_KEY_MAX)
			continue;

		oldcontext = MemoryContextSwitchTo(catalog_context);

		if (current == NULL || strcmp(current->name, name) != 0)
		{
			current = hash_search(catalog_models, name, HASH_ENTER, &found);
			current->name_text = cstring_to_text(name);
			current->provider = SPI_getvalue(tuple, desc, 2);
			current->nprices = 0;
			allocated = 4;
			current->prices = palloc(sizeof(CatalogPrice) * allocated);
		}
		else if (current->nprices == allocated)
		{
			allocated *= 2;
			current->prices = repalloc(current->prices,
									   sizeof(CatalogPrice) * allocated);
		}

		price = &current->prices[current->nprices++];
		price->input = copy_numeric(tuple, desc, 3, &isnull);
		price->output = copy_numeric(tuple, desc, 4, &isnull);
		price->cached_input = copy_numeric(tuple, desc, 5, &isnull);
		if (isnull)
			price->cached_input = price->input;
		price->cache_write = copy_numeric(tuple, desc, 6, &isnull);
		if (isnull)
			price->cache_write = price->input;
		price->valid_from = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 7, &isnull));
		set_scaled_prices(price);

		MemoryContextSwitchTo(oldcontext);
	}
}

static void
load_aliases(void)
{
	int			ret;
	uint64		i;

	ret = SPI_execute("SELECT alias, model_name FROM masecon.model_aliases",
					  false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read masecon.model_aliases: %s",
			 SPI_result_code_string(ret));

	catalog_aliases = create_string_hash("masecon catalog aliases",
										 sizeof(AliasEntry),
										 Max(SPI_processed, 16));

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *alias = SPI_getvalue(tuple, desc, 1);
		char	   *target = SPI_getvalue(tuple, desc, 2);
		AliasEntry *entry;
		bool		found;

		if (strlen(alias) >= MASECON_KEY_MAX)
			continue;
		entry = hash_search(catalog_aliases, alias, HASH_ENTER, &found);
		entry->model = NULL;
		if (strlen(target) < MASECON_KEY_MAX)
			entry->model = hash_search(catalog_models, target, HASH_FIND, NULL);
	}
}

/*
 * Read both catalog tables into fresh hash tables.  A callback that fires
 * while the tables are read clears catalog_valid again, and the loop then
 * reads them once more, so no invalidation is lost.
 */
static void
load_catalog(void)
{
	while (!catalog_valid)
	{
		Oid			namespace;

		catalog_valid = true;

		if (catalog_context == NULL)
			catalog_context = AllocSetContextCreate(CacheMemoryContext,
													"masecon catalog",
													ALLOCSET_DEFAULT_SIZES);
		else
			MemoryContextReset(catalog_context);
		catalog_models = NULL;
		catalog_aliases = NULL;
		resolved_names = NULL;

		namespace = get_namespace_oid("masecon", false);
		model_prices_relid = get_relname_relid("model_prices", namespace);
		model_aliases_relid = get_relname_relid("model_aliases", namespace);
		if (!OidIsValid(model_prices_relid) || !OidIsValid(model_aliases_relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("masecon catalog tables are missing"),
					 errhint("Reinstall the extension with DROP EXTENSION masecon; CREATE EXTENSION masecon.")));

		PG_TRY();
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			load_models();
			load_aliases();
			SPI_finish();

			resolved_names = create_string_hash("masecon resolved model names",
												sizeof(ResolvedName), 64);
		}
		PG_CATCH();
		{
			catalog_valid = false;
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
}

static CatalogModel *
find_model_or_alias(const char *name)
{
	CatalogModel *model;
	AliasEntry *alias;

	if (strlen(name) >= MASECON_KEY_MAX)
		return NULL;
	model = hash_search(catalog_models, name, HASH_FIND, NULL);
	if (model != NULL)
		return model;
	alias = hash_search(catalog_aliases, name, HASH_FIND, NULL);
	if (alias != NULL)
		return alias->model;
	return NULL;
}

static bool
all_digits(const char *s, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char) s[i]))
			return false;
	return true;
}

/*
 * Skip a routing prefix: everything up to the last '/', as in
 * "openai/gpt-4o" or "openrouter/anthropic/claude-3-opus", and dotted
 * vendor and region prefixes as in Bedrock's "us.anthropic.claude-...".
 * A leading segment is a prefix only when it is letters alone, so the dot
 * in "gpt-3.5-turbo" stays.  Returns a pointer into name, to the first
 * character after the prefix, so no bytes are moved.
 */
static char *
strip_prefix(char *name)
{
	char	   *slash = strrchr(name, '/');
	bool		stripped = true;

	if (slash != NULL)
		name = slash + 1;

	while (stripped)
	{
		char	   *p = name;

		stripped = false;
		while (*p != '\0' && isalpha((unsigned char) *p))
			p++;
		if (*p == '.' && p > name && p[1] != '\0')
		{
			name = p + 1;
			stripped = true;
		}
	}
	return name;
}

/* Remove a Bedrock version suffix in place: "-v1:0", "-v2", ":0". */
static void
strip_version(char *name)
{
	size_t		len = strlen(name);
	size_t		i = len;

	while (i > 0 && isdigit((unsigned char) name[i - 1]))
		i--;
	if (i < len && i > 0 && name[i - 1] == ':')
	{
		name[i - 1] = '\0';
		len = i - 1;
		i = len;
		while (i > 0 && isdigit((unsigned char) name[i - 1]))
			i--;
	}
	if (i < len && i > 1 && name[i - 1] == 'v' && name[i - 2] == '-')
		name[i - 2] = '\0';
}

/*
 * Remove a snapshot date suffix in place: "-2024-08-06", "-20240229" or a
 * four-digit "-0125".  Returns false when there is none.
 */
static bool
strip_date(char *name)
{
	size_t		len = strlen(name);

	if (len > 11 && name[len - 11] == '-' && all_digits(name + len - 10, 4) &&
		name[len - 6] == '-' && all_digits(name + len - 5, 2) &&
		name[len - 3] == '-' && all_digits(name + len - 2, 2))
	{
		name[len - 11] = '\0';
		return true;
	}
	if (len > 9 && name[len - 9] == '-' && all_digits(name + len - 8, 8))
	{
		name[len - 9] = '\0';
		return true;
	}
	if (len > 5 && name[len - 5] == '-' && all_digits(name + len - 4, 4))
	{
		name[len - 5] = '\0';
		return true;
	}
	return false;
}

/*
 * Find the catalog model for a name as a producer sent it.  Each spelling
 * below is tried against the catalog and then against the aliases, and the
 * first match wins, so an exact catalog entry always beats a rule:
 *	 1. the name as given;
 *	 2. in lower case, with '@' read as '-' (Vertex AI writes
 *		"claude-3-5-sonnet@20240620");
 *	 3. without a provider or region prefix;
 *	 4. without a Bedrock version suffix;
 *	 5. without a snapshot date suffix.
 * Returns NULL when no spelling matches.
 */
static CatalogModel *
resolve_uncached(const char *model_name)
{
	char		name[MASECON_KEY_MAX];
	char	   *stem;
	CatalogModel *model;
	size_t		i;

	model = find_model_or_alias(model_name);
	if (model != NULL)
		return model;

	if (strlen(model_name) >= MASECON_KEY_MAX)
		return NULL;
	for (i = 0; model_name[i] != '\0'; i++)
		name[i] = model_name[i] == '@' ? '-' : tolower((unsigned char) model_name[i]);
	name[i] = '\0';
	model = find_model_or_alias(name);
	if (model != NULL)
		return model;

	stem = strip_prefix(name);
	model = find_model_or_alias(stem);
	if (model != NULL)
		return model;

	strip_version(stem);
	model = find_model_or_alias(stem);
	if (model != NULL)
		return model;

	if (strip_date(stem))
		return find_model_or_alias(stem);
	return NULL;
}

/*
 * Returns the catalog model a producer's model name prices as, or NULL.
 * Loads the catalog first when it was invalidated.
 */
CatalogModel *
masecon_resolve_model(const char *model_name)
{
	ResolvedName *entry;
	CatalogModel *model;
	bool		found;

	AcceptInvalidationMessages();
	if (!catalog_valid)
		load_catalog();

	if (strlen(model_name) >= MASECON_KEY_MAX)
		return resolve_uncached(model_name);

	entry = hash_search(resolved_names, model_name, HASH_FIND, NULL);
	if (entry != NULL)
		return entry->model;

	model = resolve_uncached(model_name);

	if (hash_get_num_entries(resolved_names) >= MAX_RESOLVED_NAMES)
	{
		hash_destroy(resolved_names);
		resolved_names = create_string_hash("masecon resolved model names",
											sizeof(ResolvedName), 64);
	}
	entry = hash_search(resolved_names, model_name, HASH_ENTER, &found);
	entry->model = model;
	return model;
}

/*
 * Returns the model's price row valid at the given instant: the one with
 * the latest valid_from not after it, or NULL when every row is later.
 */
const CatalogPrice *
masecon_price_at(const CatalogModel *model, TimestampTz at)
{
	int			low = 0;
	int			high = model->nprices - 1;
	const CatalogPrice *found = NULL;

	while (low <= high)
	{
		int			middle = low + (high - low) / 2;

		if (model->prices[middle].valid_from <= at)
		{
			found = &model->prices[middle];
			low = middle + 1;
		}
		else
			high = middle - 1;
	}
	return found;
}

PG_FUNCTION_INFO_V1(masecon_invalidate_catalog_cache);

/*
 * Statement trigger on the catalog tables: queue a relcache invalidation
 * for the table so that every backend, this one included at the end of
 * the statement, drops its copy of the catalog.
 */
Datum
masecon_invalidate_catalog_cache(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("masecon.invalidate_catalog_cache() must be called as a trigger")));

	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(masecon_resolve_model_sql);

/* SQL: masecon.mas_resolve_model(text) returns the catalog model or NULL. */
Datum
masecon_resolve_model_sql(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	CatalogModel *model = masecon_resolve_model(name);

	if (model == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(model->name));
}

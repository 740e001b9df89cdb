/*-------------------------------------------------------------------------
 *
 * masecon.h
 *	  Declarations shared by the masecon source files: the catalog cache,
 *	  the cost formula and the settings.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#ifndef MASECON_H
#define MASECON_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/numeric.h"

#define MASECON_VERSION "0.1.0"

/* Maximum size in bytes, NUL included, of a name or id the backend caches. */
#define MASECON_KEY_MAX 256

/* Largest token count one event may report. */
#define MASECON_MAX_TOKENS INT64CONST(1000000000000)

/* Values of masecon.unknown_model */
typedef enum UnknownModelAction
{
	UNKNOWN_MODEL_ACCEPT,
	UNKNOWN_MODEL_REJECT
} UnknownModelAction;

extern int	masecon_unknown_model;
extern int	masecon_merge_every;
extern int	masecon_signal_tail_max;

/*
 * One catalog row, prices in USD per 1M tokens.  When scaled_valid is set,
 * the scaled_* fields hold the same four prices as integers in units of
 * 10^-scale USD per 1M tokens, so that the trigger can price an event with
 * integer arithmetic.  The Numeric fields are always set.
 */
typedef struct CatalogPrice
{
	TimestampTz valid_from;
	Numeric		input;
	Numeric		output;
	Numeric		cached_input;	/* the input price when the column is NULL */
	Numeric		cache_write;	/* the input price when the column is NULL */
	bool		scaled_valid;
	int			scale;
	int64		scaled_input;
	int64		scaled_output;
	int64		scaled_cached_input;
	int64		scaled_cache_write;
} CatalogPrice;

/* A catalog model with its rows in ascending valid_from order. */
typedef struct CatalogModel
{
	char		name[MASECON_KEY_MAX];	/* hash key */
	text	   *name_text;		/* name as a text value, for resolved_model */
	char	   *provider;
	int			nprices;
	CatalogPrice *prices;
} CatalogModel;

/* catalog.c */
extern void masecon_catalog_init(void);
extern CatalogModel *masecon_resolve_model(const char *model_name);
extern const CatalogPrice *masecon_price_at(const CatalogModel *model,
											TimestampTz at);

/* rollup.c */
extern void masecon_rollup_count_insert(void);

/* pricing.c */
extern void masecon_pricing_init(void);
extern Numeric masecon_token_cost(const CatalogPrice *price, int64 tokens_in,
								  int64 tokens_out, int64 cached_tokens_in,
								  int64 cache_write_tokens_in);
extern Numeric masecon_numeric_add(Numeric a, Numeric b);
extern Numeric masecon_numeric_mul(Numeric a, Numeric b);
extern Numeric masecon_int64_numeric(int64 value);
extern Numeric masecon_trim_scale(Numeric value);

#endif							/* MASECON_H */

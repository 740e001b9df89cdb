/*-------------------------------------------------------------------------
 *
 * demo.c
 *	  The seeded random number generator behind masecon.mas_seed_demo_data.
 *
 * masecon.demo_random(seed, stream, key1, key2) returns a uniform double
 * in [0, 1) that depends only on its four arguments, which it hashes in
 * turn with the SplitMix64 mixing function.  Because it is a pure function
 * of its arguments, every generated row gets the same values whatever the
 * order, parallelism or number of rows of the query that draws them, which
 * random() and setseed() cannot promise.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "masecon.h"

#include "fmgr.h"

/* Mixes one 64-bit value into a well-distributed one (SplitMix64). */
static inline uint64
splitmix64(uint64 x)
{
	x += UINT64CONST(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64CONST(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64CONST(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

PG_FUNCTION_INFO_V1(masecon_demo_random);

Datum
masecon_demo_random(PG_FUNCTION_ARGS)
{
	uint64		h = splitmix64((uint64) PG_GETARG_INT64(0));

	h = splitmix64(h ^ (uint64) PG_GETARG_INT64(1));
	h = splitmix64(h ^ (uint64) PG_GETARG_INT64(2));
	h = splitmix64(h ^ (uint64) PG_GETARG_INT64(3));

	/* The top 53 bits fill a double's mantissa exactly. */
	PG_RETURN_FLOAT8((double) (h >> 11) * (1.0 / 9007199254740992.0));
}

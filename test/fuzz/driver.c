/*-------------------------------------------------------------------------
 *
 * driver.c
 *	  libFuzzer driver that runs inside a backend: it decodes each input
 *	  into the arguments of one SQL function and calls the function through
 *	  fmgr, as a query would.
 *
 * Only the fuzz build of masecon.so contains this file (make fuzz-lib), and
 * only scripts/run-fuzz declares its SQL function:
 *
 *	  masecon_fuzz_run(target regprocedure, log_path text, options text[])
 *
 * runs libFuzzer with the given command-line options on the target and
 * writes libFuzzer's output to log_path.  libFuzzer ends the process when
 * it stops, so the call never returns and the connection drops.  The
 * caller reads log_path and the artifact folder to tell a normal end from
 * a crash.
 *
 * Each input is a sequence of arguments.  Every argument starts with a
 * control byte c; c % 32 == 0 makes it NULL, and otherwise c % 32, c / 32
 * and the bytes after c pick the value by argument type:
 *
 *	  integer, bigint  c % 32 1-6: a boundary value chosen by the next byte;
 *					   7-20: the next byte, 0 to 255; 21-31: the next 4 or
 *					   8 bytes, little-endian
 *	  numeric		   c % 32 1: NaN; 2: Infinity; 3: -Infinity; 4-31: a
 *					   decimal string.  The next byte b gives the count of
 *					   integer digits (b % 4 when b < 128, else b % 64), the
 *					   byte after % 32 that of fraction digits, and one byte
 *					   each digit.  c / 32 of 7 adds a minus sign, 5 an
 *					   exponent from the next byte (-128 to 127), and 6 one
 *					   from the next 2 bytes
 *	  text			   2 bytes of length, little-endian, % 1024, then as many
 *					   bytes (NUL bytes dropped; a string invalid in the
 *					   database encoding has its high bits cleared)
 *	  text[]		   c % 32 1-25: one dimension of the next byte % 8
 *					   elements; 26-30: two rows of the next byte % 4
 *					   elements; 31: an empty array.  An element is a byte,
 *					   NULL when it is 0 mod 4, then a text as above
 *
 * The values are biased towards what the targets accept (small counts,
 * non-negative amounts, fractions), so that most inputs get past the
 * argument checks.
 *
 * Bytes past the end of the input read as 0, so a short input ends in NULL
 * arguments.  An error raised by the target (ereport(ERROR)) is an expected
 * rejection, except SQLSTATE XX000, the code of elog(ERROR) for
 * cannot-happen checks, which aborts so that libFuzzer keeps the input.
 *
 * Copyright (c) 2026, the masecon authors
 *
 *-------------------------------------------------------------------------
 */
#include "masecon.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "storage/ipc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/resowner.h"
#include "utils/syscache.h"

/* The entry point of libFuzzer's fuzzer_no_main runtime (LLVM 13 and later). */
extern int	LLVMFuzzerRunDriver(int *argc, char ***argv,
								int (*callback) (const uint8_t *data, size_t size));

/* Maximum length in bytes of a text argument, well past MASECON_KEY_MAX. */
#define FUZZ_TEXT_MAX 1023

/* The input being decoded. */
typedef struct FuzzInput
{
	const uint8_t *data;
	size_t		size;
	size_t		offset;
} FuzzInput;

/* The SQL function under test, looked up once per run. */
typedef struct FuzzTarget
{
	FmgrInfo	flinfo;
	int			nargs;
	Oid			argtypes[FUNC_MAX_ARGS];
	Oid			collation;
	Oid			output_function;
} FuzzTarget;

static FuzzTarget target;
static MemoryContext input_context = NULL;

/* What became of the inputs, printed when the backend exits. */
static uint64 inputs_run = 0;
static uint64 inputs_null_skipped = 0;
static uint64 inputs_returned = 0;
static uint64 inputs_rejected = 0;

/* Values that sit on or next to a check of the fuzzed functions. */
static const int64 boundary_values[] = {
	0, 1, -1, 2,
	PG_INT32_MAX, PG_INT32_MIN, PG_INT32_MAX - 1,
	PG_INT64_MAX, PG_INT64_MIN, PG_INT64_MAX - 1,
	MASECON_MAX_TOKENS, MASECON_MAX_TOKENS + 1, MASECON_MAX_TOKENS - 1
};

static uint8
next_byte(FuzzInput *in)
{
	if (in->offset >= in->size)
		return 0;
	return in->data[in->offset++];
}

/* Reads count bytes as a little-endian unsigned integer. */
static uint64
next_bytes(FuzzInput *in, int count)
{
	uint64		value = 0;
	int			i;

	for (i = 0; i < count; i++)
		value |= (uint64) next_byte(in) << (8 * i);
	return value;
}

static int64
decode_integer(FuzzInput *in, uint8 control, bool is_int8)
{
	int			kind = control % 32;
	int64		value;

	if (kind <= 6)
		value = boundary_values[next_byte(in) % lengthof(boundary_values)];
	else if (kind <= 20)
		value = next_byte(in);
	else if (is_int8)
		value = (int64) next_bytes(in, 8);
	else
		value = (int32) (uint32) next_bytes(in, 4);

	if (!is_int8)
		value = Max(Min(value, PG_INT32_MAX), PG_INT32_MIN);
	return value;
}

static Datum
decode_numeric(FuzzInput *in, uint8 control)
{
	int			kind = control % 32;
	int			flags = control / 32;
	StringInfoData text;
	uint8		digits_byte;
	int			integer_digits;
	int			fraction_digits;
	int			i;

	initStringInfo(&text);
	if (kind == 1)
		appendStringInfoString(&text, "NaN");
	else if (kind == 2)
		appendStringInfoString(&text, "Infinity");
	else if (kind == 3)
		appendStringInfoString(&text, "-Infinity");
	else
	{
		digits_byte = next_byte(in);
		integer_digits = digits_byte < 128 ? digits_byte % 4 : digits_byte % 64;
		fraction_digits = next_byte(in) % 32;
		if (flags == 7)
			appendStringInfoChar(&text, '-');
		for (i = 0; i < integer_digits; i++)
			appendStringInfoChar(&text, '0' + next_byte(in) % 10);
		if (integer_digits == 0)
			appendStringInfoChar(&text, '0');
		if (fraction_digits > 0)
		{
			appendStringInfoChar(&text, '.');
			for (i = 0; i < fraction_digits; i++)
				appendStringInfoChar(&text, '0' + next_byte(in) % 10);
		}
		if (flags == 5)
			appendStringInfo(&text, "e%d", (int) (int8) next_byte(in));
		else if (flags == 6)
			appendStringInfo(&text, "e%d", (int) (int16) next_bytes(in, 2));
	}
	return DirectFunctionCall3(numeric_in, CStringGetDatum(text.data),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* Decodes a text that the server would accept as input: no NUL, valid encoding. */
static Datum
decode_text(FuzzInput *in)
{
	size_t		length = next_bytes(in, 2) % (FUZZ_TEXT_MAX + 1);
	char	   *buffer = palloc(length + 1);
	size_t		used = 0;
	size_t		i;

	for (i = 0; i < length && in->offset < in->size; i++)
	{
		uint8		byte = next_byte(in);

		if (byte != 0)
			buffer[used++] = (char) byte;
	}
	buffer[used] = '\0';

	if (!pg_verifymbstr(buffer, used, true))
	{
		for (i = 0; i < used; i++)
		{
			buffer[i] &= 0x7F;
			if (buffer[i] == '\0')
				buffer[i] = '?';
		}
	}
	return PointerGetDatum(cstring_to_text_with_len(buffer, used));
}

static Datum
decode_text_array(FuzzInput *in, uint8 control)
{
	int			kind = control % 32;
	int			ndims;
	int			dims[2];
	int			lbs[2] = {1, 1};
	int			count;
	Datum	   *elements;
	bool	   *nulls;
	int			i;

	if (kind == 31)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	if (kind >= 26)
	{
		ndims = 2;
		dims[0] = 2;
		dims[1] = next_byte(in) % 4;
		count = dims[0] * dims[1];
	}
	else
	{
		ndims = 1;
		dims[0] = next_byte(in) % 8;
		count = dims[0];
	}
	if (count == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));

	elements = palloc(sizeof(Datum) * count);
	nulls = palloc(sizeof(bool) * count);
	for (i = 0; i < count; i++)
	{
		nulls[i] = next_byte(in) % 4 == 0;
		elements[i] = nulls[i] ? (Datum) 0 : decode_text(in);
	}
	return PointerGetDatum(construct_md_array(elements, nulls, ndims, dims, lbs,
											  TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
decode_argument(FuzzInput *in, Oid type, uint8 control)
{
	switch (type)
	{
		case INT4OID:
			return Int32GetDatum((int32) decode_integer(in, control, false));
		case INT8OID:
			return Int64GetDatum(decode_integer(in, control, true));
		case NUMERICOID:
			return decode_numeric(in, control);
		case TEXTOID:
			return decode_text(in);
		case TEXTARRAYOID:
			return decode_text_array(in, control);
	}
	elog(ERROR, "fuzz target argument type %u is not supported", type);
	return (Datum) 0;			/* keep the compiler quiet */
}

/*
 * Calls the target on the arguments decoded from the input and converts a
 * non-NULL result to text with its type's output function, which reads
 * every field of the result.  A strict target is not called when an
 * argument is NULL, as the executor does.
 */
static void
call_target(FuzzInput *in)
{
	LOCAL_FCINFO(fcinfo, FUNC_MAX_ARGS);
	bool		any_null = false;
	Datum		result;
	int			i;

	InitFunctionCallInfoData(*fcinfo, &target.flinfo, target.nargs,
							 target.collation, NULL, NULL);
	for (i = 0; i < target.nargs; i++)
	{
		uint8		control = next_byte(in);

		fcinfo->args[i].isnull = control % 32 == 0;
		fcinfo->args[i].value = (Datum) 0;
		if (fcinfo->args[i].isnull)
			any_null = true;
		else
			fcinfo->args[i].value = decode_argument(in, target.argtypes[i], control);
	}
	if (any_null && target.flinfo.fn_strict)
	{
		inputs_null_skipped++;
		return;
	}

	result = FunctionCallInvoke(fcinfo);
	if (!fcinfo->isnull)
		(void) OidOutputFunctionCall(target.output_function, result);
	inputs_returned++;
}

/*
 * libFuzzer's callback: runs one input in a subtransaction, so that an
 * error leaves no open SPI connection, lock or buffer pin behind, and in a
 * memory context that is reset after every input.
 */
static int
fuzz_one_input(const uint8_t *data, size_t size)
{
	MemoryContext caller_context = CurrentMemoryContext;
	ResourceOwner caller_owner = CurrentResourceOwner;
	FuzzInput	in;

	in.data = data;
	in.size = size;
	in.offset = 0;
	inputs_run++;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(input_context);
	PG_TRY();
	{
		call_target(&in);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(input_context);
		error = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		inputs_rejected++;
		if (error->sqlerrcode == ERRCODE_INTERNAL_ERROR)
		{
			fprintf(stderr, "masecon fuzz: internal error: %s\n", error->message);
			abort();
		}
	}
	PG_END_TRY();

	MemoryContextSwitchTo(caller_context);
	CurrentResourceOwner = caller_owner;
	MemoryContextReset(input_context);
	return 0;
}

/* Looks up the target function, its argument types and its result's output function. */
static void
prepare_target(Oid function, MemoryContext context)
{
	HeapTuple	tuple;
	Form_pg_proc procedure;
	List	   *args = NIL;
	bool		output_is_varlena;
	Oid			result_type;
	int			i;

	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for function %u", function);
	procedure = (Form_pg_proc) GETSTRUCT(tuple);
	if (procedure->proretset)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("fuzz target %s returns a set", format_procedure(function)),
				 errhint("Fuzz a function that returns one value.")));
	target.nargs = procedure->pronargs;
	result_type = procedure->prorettype;
	target.collation = InvalidOid;
	for (i = 0; i < target.nargs; i++)
	{
		Oid			type = procedure->proargtypes.values[i];

		if (type != INT4OID && type != INT8OID && type != NUMERICOID &&
			type != TEXTOID && type != TEXTARRAYOID)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("argument %d of fuzz target %s has type %s, which the driver cannot generate",
							i + 1, format_procedure(function), format_type_be(type)),
					 errhint("Fuzz a function whose arguments are integer, bigint, numeric, text or text[].")));
		target.argtypes[i] = type;
		if (type_is_collatable(type))
			target.collation = DEFAULT_COLLATION_OID;
	}
	ReleaseSysCache(tuple);

	/*
	 * A target may read its result type from the call expression through
	 * get_fn_expr_rettype, as masecon_pressure_rules does for its enum.
	 */
	fmgr_info_cxt(function, &target.flinfo, context);
	for (i = 0; i < target.nargs; i++)
		args = lappend(args, makeNullConst(target.argtypes[i], -1, InvalidOid));
	fmgr_info_set_expr((Node *) makeFuncExpr(function, result_type, args,
											 InvalidOid, target.collation,
											 COERCE_EXPLICIT_CALL),
					   &target.flinfo);
	getTypeOutputInfo(result_type, &target.output_function, &output_is_varlena);
}

/* on_proc_exit callback: libFuzzer's exit() runs it after the last input. */
static void
print_input_counts(int code, Datum arg)
{
	fprintf(stderr,
			"masecon fuzz: " UINT64_FORMAT " inputs, " UINT64_FORMAT
			" returned, " UINT64_FORMAT " rejected with an error, " UINT64_FORMAT
			" not called (NULL argument of a strict function)\n",
			inputs_run, inputs_returned, inputs_rejected, inputs_null_skipped);
}

PG_FUNCTION_INFO_V1(masecon_fuzz_run);

/*
 * SQL: masecon_fuzz_run(target regprocedure, log_path text, options text[]).
 * Never returns: libFuzzer exits the process when it is done.
 *
 * NOTE: a query cancel does not stop the run, because the driver catches
 * every error of an input, and one let through would unwind libFuzzer's
 * frames.  -max_total_time bounds the run instead.
 */
Datum
masecon_fuzz_run(PG_FUNCTION_ARGS)
{
	Oid			function = PG_GETARG_OID(0);
	char	   *log_path = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ArrayType  *options = PG_GETARG_ARRAYTYPE_P(2);
	Datum	   *elements;
	bool	   *nulls;
	int			count;
	int			argc;
	char	  **argv;
	int			log_fd;
	int			i;

	deconstruct_array(options, TEXTOID, -1, false, TYPALIGN_INT,
					  &elements, &nulls, &count);
	argv = palloc(sizeof(char *) * (count + 2));
	argv[0] = "masecon_fuzz";
	for (i = 0; i < count; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("libFuzzer option %d must not be null", i + 1),
					 errhint("Pass options such as '-max_total_time=30' and corpus folders.")));
		argv[i + 1] = TextDatumGetCString(elements[i]);
	}
	argc = count + 1;
	argv[argc] = NULL;

	prepare_target(function, TopMemoryContext);
	input_context = AllocSetContextCreate(TopMemoryContext, "masecon fuzz input",
										  ALLOCSET_DEFAULT_SIZES);

	log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (log_fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open fuzz log \"%s\": %m", log_path),
				 errhint("Pass a log path in a folder the server can write to.")));
	fflush(stdout);
	fflush(stderr);
	if (dup2(log_fd, STDOUT_FILENO) < 0 || dup2(log_fd, STDERR_FILENO) < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not send output to fuzz log \"%s\": %m", log_path),
				 errhint("Check that the server may write to the log path.")));
	close(log_fd);
	on_proc_exit(print_input_counts, (Datum) 0);

	/*
	 * libFuzzer leaves a signal alone when a handler is already installed.
	 * The backend's SIGFPE handler would turn a crash into an ordinary
	 * error, and its SIGALRM handler would hide libFuzzer's timeout for a
	 * hanging input, so both go back to the default for libFuzzer to take
	 * over.  Statement, lock and deadlock timeouts do not fire during the
	 * run as a result.
	 */
	pqsignal(SIGFPE, SIG_DFL);
	pqsignal(SIGALRM, SIG_DFL);

	(void) LLVMFuzzerRunDriver(&argc, &argv, fuzz_one_input);
	PG_RETURN_VOID();
}

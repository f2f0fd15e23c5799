#pragma once
// The one place the PostgreSQL 15 server headers and libpg_query's internal API enter the
// project. Include this only from src/sql/pg/*.cpp, never from a header outside src/sql/pg/.
//
// Layout: Debian's libpg-query 15-4.x embeds the PostgreSQL 15.1 grammar and node structs;
// postgresql-server-dev-15 ships 15.x headers. PostgreSQL keeps node layouts and NodeTag
// numbering stable within a major version, and the differential test
// (tests/unit/sql/differential_test.cpp) checks our reading of the raw tree against the
// library's own JSON output.
extern "C" {
#include "postgres.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "nodes/value.h"
#include "pg_query.h"
#include "pg_query/pg_query_internal.h"
}

// port.h and c.h turn these into PostgreSQL's own implementations or one-letter macros;
// none of our code wants that.
#undef printf
#undef sprintf
#undef snprintf
#undef fprintf
#undef vsnprintf
#undef strerror
#undef gettext
#undef _
#undef DEBUG
#undef Max
#undef Min

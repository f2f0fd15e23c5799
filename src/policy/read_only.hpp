#pragma once
// Whether a statement is known to change nothing: what a read-only front (the MCP `query`
// tool, proxy/local_front.hpp) may run on top of what the policy allows. Stricter than
// "a SELECT": the statement must also write through no CTE, SELECT INTO or row lock, and
// call only pg_catalog functions that cannot write (volatility immutable or stable, or the
// built-in read-only classes). User functions count as writes, whatever their volatility:
// a STABLE function may still call a VOLATILE one that writes.
#include "sql/facts.hpp"

namespace airlock::policy {

// SELECT (and VALUES, TABLE), SHOW, and EXPLAIN without ANALYZE of such a SELECT (planning
// runs functions too: immutable ones are folded). Everything else, SET and transaction
// control included, may change data or the session and is false.
bool writes_nothing(const sql::StatementFacts& s);

}  // namespace airlock::policy

#pragma once
// A lexical pre-scan that bounds parse-tree nesting before the parser runs.
//
// It follows PostgreSQL's lexical rules closely enough to skip string literals
// ('...', E'...' with backslash escapes), quoted identifiers, dollar-quoted strings,
// -- and nested /* */ comments, and then scores nesting as
//     2 * (open parentheses and brackets) + (operator tokens chained at each open level)
// where a chain restarts at ',', ';', AND, OR, WHEN, THEN, ELSE (lists the parser keeps
// flat) and UNION/INTERSECT/EXCEPT/JOIN/COLLATE/NOT count as chain links. The score is an
// over-estimate for ordinary SQL; refusing odd input is acceptable, missing depth is not
// (and the tree walker keeps its own hard limit as a second line).
#include <string_view>

namespace airlock::sql {

// Returns the nesting score, or a value greater than `limit` as soon as it exceeds it.
int estimate_nesting(std::string_view text, int limit) noexcept;

}  // namespace airlock::sql

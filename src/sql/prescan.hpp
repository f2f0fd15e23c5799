#pragma once
// A lexical pre-scan that bounds parse-tree nesting before the parser runs.
//
// It skips what lex.hpp names (string literals, quoted identifiers, dollar-quoted strings,
// -- and nested /* */ comments), and then scores nesting as
//     2 * (open parentheses and brackets) + (operator tokens chained at each open level)
// where a chain restarts at ',', ';', AND, OR, WHEN, THEN, ELSE (lists the parser keeps
// flat) and UNION/INTERSECT/EXCEPT/JOIN/COLLATE/NOT count as chain links. The score is an
// over-estimate for ordinary SQL; refusing odd input is acceptable, missing depth is not
// (and the tree walker keeps its own hard limit as a second line).
//
// Measured with the default 8 MiB stack (libpg_query 15-4.0.0, g++-12):
//   - pg_query_raw_parse itself never crashed (1M `1+` terms parse; right-recursive forms
//     such as `((((`, `NOT NOT`, `- -` stop at bison's 10000-entry stack: "memory exhausted");
//   - the recursive consumers do: libpg_query's JSON output at ~65k `1+` terms (~131k `::int`),
//     an unbounded walker of ours at ~40k levels (Debug) / ~175k (Release).
// Default limits refuse at score 1000 here and 4000 walker levels: a margin of 10x (Debug)
// to 40x (Release) before the stack runs out.
#include <string_view>

namespace airlock::sql {

// Returns the nesting score, or a value greater than `limit` as soon as it exceeds it.
int estimate_nesting(std::string_view text, int limit) noexcept;

}  // namespace airlock::sql

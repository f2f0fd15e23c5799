#pragma once
// Internal: the facts the rules read, behind one function each, so that every rule treats
// a missing fact the same way: nullopt / Unknown, and the rule refuses what it cannot
// verify (a gate, not a tap). The sql module fills them (facts.hpp); which of them are
// known depends on the catalog analyze() was given.
#include <optional>
#include <string>
#include <vector>

#include "sql/facts.hpp"

namespace airlock::policy::detail {

enum class WhereShape { Absent, Tautological, Restrictive, Unknown };

// WHERE of the UPDATE or DELETE (or MERGE) that writes `rel`.
WhereShape where_shape(const sql::StatementFacts& s, const sql::RelationRef& rel);

// Columns of `rel` the statement reads / writes, in parsed form; nullopt = not known
// (e.g. SELECT * or INSERT without a column list, without a catalog to expand them).
std::optional<std::vector<std::string>> columns_read(const sql::StatementFacts& s,
                                                     const sql::RelationRef& rel);
std::optional<std::vector<std::string>> columns_written(const sql::StatementFacts& s,
                                                        const sql::RelationRef& rel);

// Whether a lineage source (OutputColumn::sources, StatementFacts::stored_sources) may be
// `column` of `rel`: that column, or `*` of rel (a whole-row value the catalog could not
// expand into columns, which holds every column).
bool source_may_be(const sql::ColumnRef& source, const sql::RelationRef& rel,
                   const std::string& column);

// Argument `index` of the call when it is a constant, as text; nullopt otherwise.
std::optional<std::string> literal_arg(const sql::FunctionRef& f, std::size_t index);

// Schema the catalog resolved the name to; nullopt = not resolved.
std::optional<std::string> catalog_schema(const sql::RelationRef& rel);
std::optional<std::string> catalog_schema(const sql::FunctionRef& f);

}  // namespace airlock::policy::detail

#pragma once
// Entry point of the sql module: SQL text in, facts out. See facts.hpp.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sql/catalog.hpp"
#include "sql/facts.hpp"

namespace airlock::sql {

struct AnalyzeLimits {
  std::size_t max_text_bytes = 128 * 1024;
  // Bound on nesting, checked twice: by a lexical pre-scan before the parser runs
  // (prescan.hpp) and by the tree walker, which refuses trees deeper than
  // kWalkDepthFactor * max_depth nodes.
  int max_depth = 1000;
  // false: a plain SELECT (no data-modifying WITH, no INTO) skips the column walk, so its
  // column_access, output_columns and stored_sources stay empty. Only for a policy without
  // masks, deny_columns or columns (policy::AgentPolicy::uses_columns), whose decisions
  // read no column of a SELECT (tests/unit/policy/lean_columns_test.cpp compares both).
  bool select_columns = true;
};

inline constexpr int kWalkDepthFactor = 4;

// Never throws (allocation failure aside), never crashes on any input within the limits.
// Each call is independent; safe to call from several threads at once (the catalog is only
// read).
//
// Full facts: relations, functions, columns read and written per relation (`*` expanded
// with the catalog), result-column lineage, WHERE shapes, and every relation and function
// resolved against `catalog` with `search_path` (resolve.hpp; substitute "$user" first).
// Schemas of the path the catalog does not hold are skipped (effective_search_path); the
// path used is returned in Analysis::search_path for the policy to resolve with.
Analysis analyze(std::string_view text, const AnalyzeLimits& limits, const Catalog& catalog,
                 const std::vector<std::string>& search_path);

// The same against an empty catalog (only the built-in pg_catalog and information_schema)
// and the default search_path ("$user", public): `*` stays unexpanded and user relations
// unresolved.
Analysis analyze(std::string_view text, const AnalyzeLimits& limits = {});

}  // namespace airlock::sql

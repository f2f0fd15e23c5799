#pragma once
// The libpg_query raw-parser call and the walk over its statement list. No PostgreSQL type
// crosses this header.
#include <string>
#include <vector>

#include "sql/catalog.hpp"
#include "sql/facts.hpp"

namespace airlock::sql::pg {

// `sql` must be NUL-terminated valid UTF-8 without NUL bytes (analyze.cpp checks).
Analysis parse_and_translate(const std::string& sql, int max_walk_depth, const Catalog& catalog,
                             const std::vector<std::string>& search_path,
                             bool select_columns = true);

}  // namespace airlock::sql::pg

#pragma once
// The built-in catalog as text, embedded at build time from src/sql/data/*.tsv (formats in
// scripts/gen-pg-catalog.sh). Lines starting with '#' are comments.
#include <string_view>

namespace airlock::sql::data {

extern const std::string_view kPgCatalogFunctions;  // name, nargs, min_args, variadic, volatility
extern const std::string_view kPgCatalogRelations;  // schema, name, relkind, columns ("!" = NOT NULL)

}  // namespace airlock::sql::data

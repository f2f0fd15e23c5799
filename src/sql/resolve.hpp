#pragma once
// Name resolution as PostgreSQL does it (docs: "The Schema Search Path"):
//   relations: an explicit schema is looked up as written; an unqualified name is searched in
//     pg_temp (unless the path lists it), then pg_catalog (unless the path lists it), then
//     the path's schemas in order;
//   functions: the same without pg_temp, which is never searched for functions; the first
//     schema holding an overload that accepts the call's argument count wins.
// The caller substitutes "$user" in the path with the session user's name; entries naming no
// schema of the catalog are skipped, as PostgreSQL does (effective_search_path).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/catalog.hpp"
#include "sql/facts.hpp"

namespace airlock::sql {

// The path as PostgreSQL searches it: an entry naming a schema the catalog does not hold is
// skipped ("$user" when the session user has no schema of its name). pg_catalog and pg_temp
// always exist. A catalog that knows no schema (knows_schemas) cannot tell, so the path is
// returned as given.
std::vector<std::string> effective_search_path(const Catalog& catalog,
                                               const std::vector<std::string>& search_path);

const CatalogRelation* resolve_relation(const Catalog& catalog, std::string_view schema,
                                        std::string_view name,
                                        const std::vector<std::string>& search_path);

std::optional<FunctionMatch> resolve_function(const Catalog& catalog, std::string_view schema,
                                              std::string_view name, int nargs,
                                              const std::vector<std::string>& search_path);

// Fills RelationRef::{resolved_schema, resolved, kind} and FunctionRef::{resolved_schema,
// resolved, volatility, security_definer, regclass_*} of every statement. CTE references stay
// unresolved. Column facts are computed by analyze() with the same catalog (analyze.hpp).
void resolve(Analysis& analysis, const Catalog& catalog,
             const std::vector<std::string>& search_path);
void resolve(StatementFacts& facts, const Catalog& catalog,
             const std::vector<std::string>& search_path);

}  // namespace airlock::sql

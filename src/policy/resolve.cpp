// Name resolution as PostgreSQL does it for an unqualified name: pg_catalog first (unless
// the search path names it later), then the search path in order. Without a catalog the
// engine cannot know which schema really holds a name, so it takes the first schema of the
// path; docs/policy.md ("Names") explains what that means for an agent's statements.
#include <algorithm>

#include "policy/builtin_functions.hpp"
#include "policy/facts_view.hpp"
#include "policy/judge.hpp"

namespace airlock::policy::detail {
namespace {

std::string first_schema(const Judge& j) {
  for (const auto& s : j.search_path) {
    if (s != "pg_catalog" && s != "pg_temp") return s;
  }
  return "public";
}

// An unqualified name is looked up in pg_catalog first unless the path lists pg_catalog
// after another schema (`SET search_path = public, pg_catalog`).
bool catalog_first(const Judge& j) {
  for (const auto& s : j.search_path) {
    if (s == "pg_catalog") return true;
    if (s != "pg_temp") break;
  }
  return std::find(j.search_path.begin(), j.search_path.end(), "pg_catalog") ==
         j.search_path.end();
}

// The sql module resolved names with the search path the session had before this string;
// after a SET search_path earlier in the same string its answer no longer holds.
bool path_changed(const Judge& j) { return j.search_path != j.base_path; }

}  // namespace

ObjectName resolve_relation(const Judge& j, const sql::RelationRef& r) {
  if (!r.schema.empty()) return {r.schema, r.name};
  if (auto s = catalog_schema(r); s && !path_changed(j)) return {*s, r.name};
  if (is_pg_catalog_relation(r.name) && catalog_first(j)) return {"pg_catalog", r.name};
  return {first_schema(j), r.name};
}

ObjectName resolve_function(const Judge& j, const sql::FunctionRef& f) {
  if (!f.schema.empty()) return {f.schema, f.name};
  if (auto s = catalog_schema(f); s && !path_changed(j)) return {*s, f.name};
  if (classify_function(f.name).in_pg_catalog && catalog_first(j)) return {"pg_catalog", f.name};
  return {first_schema(j), f.name};
}

ObjectName resolve_regclass(const Judge& j, const sql::FunctionRef& f, const std::string& literal) {
  if (auto q = parse_qualified(literal)) return *q;
  if (!f.regclass_schema.empty() && !path_changed(j)) return {f.regclass_schema, f.regclass_name};
  return {first_schema(j), parse_identifier(literal)};
}

}  // namespace airlock::policy::detail

// search_path resolution of relation and function names (resolve.hpp).
#include "sql/resolve.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace airlock::sql {
namespace {

bool lists(const std::vector<std::string>& path, std::string_view schema) {
  return std::find(path.begin(), path.end(), schema) != path.end();
}

// Position of `schema` in the effective search order; -1 when it is not searched.
int rank(const std::vector<std::string>& path, std::string_view schema, bool relations) {
  int base = 0;
  if (relations && !lists(path, "pg_temp")) {
    if (schema == "pg_temp") return 0;
    base = 1;
  }
  if (!lists(path, "pg_catalog")) {
    if (schema == "pg_catalog") return base;
    ++base;
  }
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == "pg_temp" && !relations) continue;
    if (path[i] == schema) return base + static_cast<int>(i);
  }
  return -1;
}

// A regclass literal as regclassin splits it (SplitIdentifierString on '.'): blanks around
// parts ignored, unquoted parts lower-cased (ASCII), "" inside quotes is one quote. nullopt
// when malformed or with a database part.
std::optional<std::pair<std::string, std::string>> split_regclass(std::string_view s) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  auto blanks = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  };
  for (;;) {
    blanks();
    std::string part;
    if (i < s.size() && s[i] == '"') {
      for (++i;; ++i) {
        if (i >= s.size()) return std::nullopt;
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            part.push_back('"');
            ++i;
            continue;
          }
          ++i;
          break;
        }
        part.push_back(s[i]);
      }
    } else {
      while (i < s.size() && s[i] != '.' && s[i] != ' ' && s[i] != '\t' && s[i] != '"') {
        const char c = s[i++];
        part.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
      }
    }
    if (part.empty()) return std::nullopt;
    parts.push_back(std::move(part));
    blanks();
    if (i == s.size()) break;
    if (s[i] != '.') return std::nullopt;
    ++i;
  }
  if (parts.size() == 1) return std::pair{std::string(), std::move(parts[0])};
  if (parts.size() == 2) return std::pair{std::move(parts[0]), std::move(parts[1])};
  return std::nullopt;
}

bool is_sequence_function(const FunctionRef& f) {
  return f.resolved_schema == "pg_catalog" &&
         (f.name == "nextval" || f.name == "currval" || f.name == "setval");
}

void resolve_regclass_arg(FunctionRef& f, const Catalog& catalog,
                          const std::vector<std::string>& search_path) {
  f.regclass_schema.clear();
  f.regclass_name.clear();
  if (!is_sequence_function(f) || f.literal_args.empty() || !f.literal_args[0]) return;
  const auto name = split_regclass(*f.literal_args[0]);
  if (!name) return;
  const CatalogRelation* rel = resolve_relation(catalog, name->first, name->second, search_path);
  if (rel == nullptr) return;
  f.regclass_schema = rel->schema;
  f.regclass_name = rel->name;
}

RelationKind kind_of(const CatalogRelation* r) {
  return r != nullptr ? r->kind : RelationKind::Unknown;
}

// Overloads of an unqualified call in other schemas of the path than the chosen one
// (facts.hpp, FunctionRef::other_schemas).
void add_other_overloads(FunctionRef& f, const Catalog& catalog,
                         const std::vector<std::string>& search_path) {
  if (!f.schema.empty() || !f.resolved) return;
  catalog.for_each_function_named(f.name, [&](const CatalogFunction& fn) {
    if (!fn.accepts(f.arg_count) || rank(search_path, fn.schema, false) < 0) return;
    if (fn.schema == f.resolved_schema) return;
    if (std::find(f.other_schemas.begin(), f.other_schemas.end(), fn.schema) ==
        f.other_schemas.end())
      f.other_schemas.push_back(fn.schema);
  });
}

}  // namespace

std::vector<std::string> effective_search_path(const Catalog& catalog,
                                               const std::vector<std::string>& search_path) {
  if (!catalog.knows_schemas()) return search_path;
  std::vector<std::string> out;
  for (const std::string& s : search_path) {
    if (s == "pg_catalog" || s == "pg_temp" || catalog.has_schema(s)) out.push_back(s);
  }
  return out;
}

const CatalogRelation* resolve_relation(const Catalog& catalog, std::string_view schema,
                                        std::string_view name,
                                        const std::vector<std::string>& search_path) {
  if (!schema.empty()) return catalog.find_relation(schema, name);
  const CatalogRelation* best = nullptr;
  int best_rank = 0;
  catalog.for_each_relation_named(name, [&](const CatalogRelation& r) {
    const int k = rank(search_path, r.schema, true);
    if (k >= 0 && (best == nullptr || k < best_rank)) {
      best = &r;
      best_rank = k;
    }
  });
  return best;
}

std::optional<FunctionMatch> resolve_function(const Catalog& catalog, std::string_view schema,
                                              std::string_view name, int nargs,
                                              const std::vector<std::string>& search_path) {
  if (!schema.empty()) return catalog.find_function(schema, name, nargs);
  std::optional<FunctionMatch> best;
  int best_rank = 0;
  catalog.for_each_function_named(name, [&](const CatalogFunction& fn) {
    if (!fn.accepts(nargs)) return;
    const int k = rank(search_path, fn.schema, false);
    if (k < 0 || (best && k > best_rank)) return;
    if (!best || k < best_rank) {
      best = FunctionMatch{fn.schema, fn.volatility, fn.security_definer};
      best_rank = k;
      return;
    }
    if (fn.volatility > best->volatility) best->volatility = fn.volatility;  // same schema
    best->security_definer = best->security_definer || fn.security_definer;
  });
  return best;
}

void resolve(StatementFacts& facts, const Catalog& catalog,
             const std::vector<std::string>& search_path) {
  for (RelationRef& r : facts.relations) {
    if (r.cte_reference) continue;
    const CatalogRelation* rel = resolve_relation(catalog, r.schema, r.name, search_path);
    r.resolved = rel != nullptr;
    r.resolved_schema = rel != nullptr ? rel->schema : std::string();
    r.kind = kind_of(rel);
  }
  for (FunctionRef& f : facts.functions) {
    const auto m = resolve_function(catalog, f.schema, f.name, f.arg_count, search_path);
    f.resolved = m.has_value();
    f.resolved_schema = m ? std::string(m->schema) : std::string();
    f.volatility = m ? m->volatility : Volatility::Unknown;
    f.security_definer = m && m->security_definer;
    f.other_schemas.clear();
    add_other_overloads(f, catalog, search_path);
    resolve_regclass_arg(f, catalog, search_path);
  }
}

void resolve(Analysis& analysis, const Catalog& catalog,
             const std::vector<std::string>& search_path) {
  for (StatementFacts& f : analysis.statements) resolve(f, catalog, search_path);
}

}  // namespace airlock::sql

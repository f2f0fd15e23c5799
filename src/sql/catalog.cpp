// Catalog storage and lookups; the built-in fallback is in builtin_catalog.cpp.
#include "sql/catalog.hpp"

namespace airlock::sql {

bool is_builtin_schema(std::string_view schema) noexcept {
  return schema == "pg_catalog" || schema == "information_schema";
}

const CatalogColumn* CatalogRelation::column(std::string_view col) const noexcept {
  const int i = column_index(col);
  return i < 0 ? nullptr : &columns[static_cast<std::size_t>(i)];
}

int CatalogRelation::column_index(std::string_view col) const noexcept {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == col) return static_cast<int>(i);
  return -1;
}

void Catalog::add_schema(std::string_view name) {
  if (!schemas_.contains(name)) schemas_.emplace(std::string(name), 0);
  if (name != "pg_catalog" && name != "information_schema") user_schemas_ = true;
}

CatalogRelation& Catalog::add_relation(CatalogRelation r) {
  add_schema(r.schema);
  if (CatalogRelation* existing = own_relation(r.schema, r.name)) {
    *existing = std::move(r);
    return *existing;
  }
  relations_by_name_[r.name].push_back(relations_.size());
  relations_.push_back(std::move(r));
  return relations_.back();
}

void Catalog::add_function(CatalogFunction f) {
  add_schema(f.schema);
  functions_by_name_[f.name].push_back(functions_.size());
  functions_.push_back(std::move(f));
}

bool Catalog::has_schema(std::string_view name) const {
  if (schemas_.contains(name)) return true;
  return builtin_fallback_ && is_builtin_schema(name);
}

CatalogRelation* Catalog::own_relation(std::string_view schema, std::string_view name) {
  const auto it = relations_by_name_.find(name);
  if (it == relations_by_name_.end()) return nullptr;
  for (const std::size_t i : it->second)
    if (relations_[i].schema == schema) return &relations_[i];
  return nullptr;
}

const CatalogRelation* Catalog::find_relation(std::string_view schema,
                                              std::string_view name) const {
  const CatalogRelation* found = nullptr;
  for_each_relation_named(name, [&](const CatalogRelation& r) {
    if (found == nullptr && r.schema == schema) found = &r;
  });
  return found;
}

std::optional<FunctionMatch> Catalog::find_function(std::string_view schema,
                                                    std::string_view name, int nargs) const {
  std::optional<FunctionMatch> m;
  for_each_function_named(name, [&](const CatalogFunction& fn) {
    if (fn.schema != schema || !fn.accepts(nargs)) return;
    if (!m) m = FunctionMatch{fn.schema, fn.volatility, fn.security_definer};
    if (fn.volatility > m->volatility) m->volatility = fn.volatility;
    m->security_definer = m->security_definer || fn.security_definer;
  });
  return m;
}

}  // namespace airlock::sql

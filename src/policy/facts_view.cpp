#include "policy/facts_view.hpp"

namespace airlock::policy::detail {
namespace {

// ColumnAccess and ColumnRef name a relation by its resolved schema when it resolved,
// else by the schema as written.
std::string fact_schema(const sql::RelationRef& rel) {
  return rel.resolved ? rel.resolved_schema : rel.schema;
}

const sql::ColumnAccess* access_of(const sql::StatementFacts& s, const sql::RelationRef& rel) {
  const std::string schema = fact_schema(rel);
  for (const auto& a : s.column_access) {
    if (a.relation == rel.name && a.schema == schema) return &a;
  }
  return nullptr;
}

}  // namespace

WhereShape where_shape(const sql::StatementFacts&, const sql::RelationRef& rel) {
  switch (rel.where_shape) {
    case sql::WhereShape::Absent: return WhereShape::Absent;
    case sql::WhereShape::Tautological: return WhereShape::Tautological;
    case sql::WhereShape::Restrictive: return WhereShape::Restrictive;
    case sql::WhereShape::NotApplicable: break;
  }
  return WhereShape::Unknown;
}

std::optional<std::vector<std::string>> columns_read(const sql::StatementFacts& s,
                                                     const sql::RelationRef& rel) {
  const sql::ColumnAccess* a = access_of(s, rel);
  if (a == nullptr) return std::vector<std::string>{};  // no column of it is named
  if (a->reads_all && !a->resolved) return std::nullopt;  // `*` the catalog could not expand
  return a->read;
}

std::optional<std::vector<std::string>> columns_written(const sql::StatementFacts& s,
                                                        const sql::RelationRef& rel) {
  const sql::ColumnAccess* a = access_of(s, rel);
  if (a == nullptr) return std::vector<std::string>{};
  if (a->writes_all && (!a->resolved || a->written.empty())) return std::nullopt;
  return a->written;
}

bool source_may_be(const sql::ColumnRef& source, const sql::RelationRef& rel,
                   const std::string& column) {
  return source.relation == rel.name && source.schema == fact_schema(rel) &&
         (source.column == column || source.column == "*");
}

std::optional<std::string> literal_arg(const sql::FunctionRef& f, std::size_t index) {
  if (index >= f.literal_args.size()) return std::nullopt;
  return f.literal_args[index];
}

std::optional<std::string> catalog_schema(const sql::RelationRef& rel) {
  if (!rel.resolved || rel.resolved_schema.empty()) return std::nullopt;
  return rel.resolved_schema;
}

std::optional<std::string> catalog_schema(const sql::FunctionRef& f) {
  if (!f.resolved || f.resolved_schema.empty()) return std::nullopt;
  return f.resolved_schema;
}

}  // namespace airlock::policy::detail

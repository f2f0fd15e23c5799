#include "policy/read_only.hpp"

#include "policy/builtin_functions.hpp"

namespace airlock::policy {
namespace {

using detail::FunctionClass;

bool function_writes_nothing(const sql::FunctionRef& f) {
  if (!f.other_schemas.empty()) return false;  // another schema's overload may answer
  const detail::FunctionInfo info = detail::classify_function(f.name);
  const std::string& schema = f.resolved ? f.resolved_schema : f.schema;
  const bool pg_catalog = schema == "pg_catalog" || (schema.empty() && info.in_pg_catalog);
  if (!pg_catalog) {
    return schema == "information_schema" && detail::is_information_schema_helper(f.name);
  }
  switch (info.cls) {
    case FunctionClass::Dangerous:
    case FunctionClass::Sequence:
      return false;
    case FunctionClass::Safe:
    case FunctionClass::CatalogRead:
    case FunctionClass::Sleep:
    case FunctionClass::SettingRead:
      return true;
    case FunctionClass::Unknown:
      break;
  }
  return f.volatility == sql::Volatility::Immutable || f.volatility == sql::Volatility::Stable;
}

}  // namespace

bool writes_nothing(const sql::StatementFacts& s) {
  if (!s.unsupported_reason.empty()) return false;
  switch (s.kind) {
    case sql::StatementKind::Show:
      return true;
    case sql::StatementKind::Explain:
      // The planner runs code too: it folds immutable functions with constant arguments
      // (a column default of an INSERT as well) and calls stable ones to estimate. So only
      // a SELECT is explained here, with the same checks as if it ran.
      if (s.is_explain_analyze || s.inner_kind != sql::StatementKind::Select) return false;
      break;
    case sql::StatementKind::Select:
      break;
    default:
      return false;
  }
  if (s.has_data_modifying_cte || s.select_into || s.row_locking) return false;
  for (const auto& f : s.functions) {
    if (!function_writes_nothing(f)) return false;
  }
  for (const auto& r : s.relations) {
    if (r.mode != sql::AccessMode::Read) return false;
  }
  return true;
}

}  // namespace airlock::policy

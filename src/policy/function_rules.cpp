// Every function call, wherever it appears (target list, FROM, DEFAULT, CALL), is judged
// by its resolved name: an entry naming it decides; otherwise the built-in families do
// (builtin_functions.hpp), and anything else is refused.
#include <algorithm>
#include <cstdlib>
#include <string>

#include "policy/builtin_functions.hpp"
#include "policy/builtin_settings.hpp"
#include "policy/facts_view.hpp"
#include "policy/judge.hpp"

namespace airlock::policy::detail {
namespace {

constexpr double kMaxSleepSeconds = 1.0;

void judge_sequence_call(Judge& j, const sql::FunctionRef& f) {
  auto arg = literal_arg(f, 0);
  if (!arg) {
    return j.deny("builtin.sequence_function",
                  f.name + "() names its sequence at run time; only a literal name of an "
                           "allowed sequence can be checked");
  }
  const ObjectName seq = resolve_regclass(j, f, *arg);
  for (const CompiledEntry* e : j.policy.for_sequence(seq)) {
    if (e->is_hold) return j.hold(e->id, f.name + "() on " + display(seq) + " needs approval");
    return j.allow(e->id);
  }
  j.deny("default_deny", f.name + "() on sequence " + display(seq) + " is not allowed for " +
                             j.agent());
}

void judge_sleep(Judge& j, const sql::FunctionRef& f) {
  if (auto arg = literal_arg(f, 0)) {
    char* end = nullptr;
    const double seconds = std::strtod(arg->c_str(), &end);
    if (end != arg->c_str() && *end == '\0' && seconds <= kMaxSleepSeconds)
      return j.allow("builtin.pg_sleep");
  }
  j.deny("builtin.dangerous_function",
         "pg_sleep() longer than 1 second (or for a computed time) holds a connection idle");
}

void judge_setting_read(Judge& j, const sql::FunctionRef& f) {
  auto arg = literal_arg(f, 0);
  if (!arg) {
    return j.deny("builtin.setting_read",
                  "current_setting() of a name computed at run time cannot be checked");
  }
  if (is_sensitive_setting(*arg)) {
    return j.deny("builtin.setting_read",
                  "the value of setting " + *arg + " is not readable through Airlock");
  }
  j.allow("builtin.setting_read");
}

void judge_function_as(Judge& j, const sql::FunctionRef& f, const ObjectName& n,
                       sql::Volatility v) {
  const CompiledEntry* allow = nullptr;
  for (const CompiledEntry* e : j.policy.for_function(n)) {
    if (e->is_hold) return j.hold(e->id, "calling " + display(n) + " needs approval");
    if (allow == nullptr) allow = e;
  }
  if (allow != nullptr) return j.allow(allow->id);
  if (f.site == sql::FunctionSite::Call) {
    return j.deny("builtin.opaque_code", "CALL " + display(n) + " runs code Airlock cannot "
                                         "see; it needs an allow entry naming the procedure");
  }
  const FunctionInfo info = classify_function(f.name);
  // Dangerous names are refused in any schema; the built-in pg_sleep, sequence and
  // current_setting rules are for pg_catalog's functions only (a public.nextval is user code).
  const bool builtin = n.schema == "pg_catalog";
  switch (info.cls) {
    case FunctionClass::Dangerous:
      return j.deny("builtin.dangerous_function",
                    display(n) + " (" + std::string(info.family) + ") is not allowed for " +
                        j.agent() + " unless an allow entry names it");
    case FunctionClass::Sleep:
      if (builtin) return judge_sleep(j, f);
      break;
    case FunctionClass::Sequence:
      if (builtin) return judge_sequence_call(j, f);
      break;
    case FunctionClass::SettingRead:
      if (builtin) return judge_setting_read(j, f);
      break;
    case FunctionClass::CatalogRead:
      if (builtin) return j.allow("builtin.catalog_function");
      break;
    case FunctionClass::Safe:
    case FunctionClass::Unknown: break;
  }
  if (n.schema == "information_schema" && is_information_schema_helper(f.name)) {
    return j.allow("builtin.catalog_function");
  }
  if (builtin) {
    // The catalog's volatility decides; the built-in list of safe names stands in for it
    // when the function was not found there.
    const bool known_safe = info.cls == FunctionClass::Safe && v == sql::Volatility::Unknown;
    if (known_safe || v == sql::Volatility::Immutable || v == sql::Volatility::Stable)
      return j.allow("builtin.catalog_function");
  }
  j.deny("default_deny", "function " + display(n) + " is not allowed for " + j.agent());
}

// An unqualified call that overloads of several schemas could answer (FunctionRef::
// other_schemas) is allowed only when every one of them would be.
void judge_function(Judge& j, const sql::FunctionRef& f, bool per_row) {
  const ObjectName n = resolve_function(j, f);
  // Before any entry: an allowed short sleep is still not for every row of a table.
  const bool catalog_sleep =
      is_sleep_function(f.name) &&
      (n.schema == "pg_catalog" || std::find(f.other_schemas.begin(), f.other_schemas.end(),
                                             "pg_catalog") != f.other_schemas.end());
  if (per_row && catalog_sleep) {
    return j.deny("builtin.sleep_per_row",
                  f.name + "() in a statement that reads a table, a FROM item or a "
                           "set-returning function runs once per row");
  }
  judge_function_as(j, f, n, f.volatility);
  // The catalog gives only the chosen schema's volatility; for the others, pg_catalog
  // included, the built-in list of safe names decides.
  for (const auto& schema : f.other_schemas)
    judge_function_as(j, f, {schema, f.name}, sql::Volatility::Unknown);
}

}  // namespace

void judge_functions(Judge& j, const sql::StatementFacts& s) {
  const bool per_row = reads_rows(s);
  for (const auto& f : s.functions) judge_function(j, f, per_row);
}

}  // namespace airlock::policy::detail

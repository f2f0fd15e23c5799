#include "proxy/policy_hook.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "policy/evaluate.hpp"
#include "proxy/decision_cache.hpp"
#include "proxy/search_path.hpp"

namespace airlock::proxy {
namespace {

using sql::StatementKind;

Verdict refuse(std::string reason, std::string hint) {
  return Verdict::deny(Error::make(sqlstate::kInsufficientPrivilege, "airlock: " + reason),
                       std::move(hint));
}

bool touches_session_state(const sql::StatementFacts& s) {
  switch (s.kind == StatementKind::Explain ? s.inner_kind : s.kind) {
    case StatementKind::Set: case StatementKind::Reset: case StatementKind::Discard:
    case StatementKind::Prepare: case StatementKind::Deallocate: case StatementKind::Execute:
      return true;
    default:
      return false;
  }
}

// SET search_path to a new value. RESET, RESET ALL, SET ... TO DEFAULT and DISCARD ALL
// return it to the value read at login, which is the path Airlock tracks anyway.
bool sets_search_path(const sql::StatementFacts& s) {
  for (const auto& c : s.settings) {
    if (c.name == "search_path" && (c.action == sql::SettingAction::Set ||
                                     c.action == sql::SettingAction::SetFromCurrent)) {
      return true;
    }
  }
  return false;
}

std::string join(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& s : path) {
    out.append(s);
    out.push_back('\x1f');
  }
  return out;
}

}  // namespace

PolicyHook::PolicyHook(const config::Agent& agent, std::shared_ptr<const sql::Catalog> catalog,
                       std::uint64_t generation, std::vector<std::string> search_path,
                       std::string upstream_user)
    : policy_(agent.policy),
      catalog_(catalog ? std::move(catalog)
                       : std::shared_ptr<const sql::Catalog>(std::shared_ptr<void>(),
                                                             &sql::Catalog::builtin())),
      generation_(generation),
      agent_(agent.name),
      observe_(agent.mode == "observe"),
      analysis_path_(substitute_user(search_path, upstream_user)),
      path_key_(join(search_path)) {
  // Fixed for the session (SET search_path is refused), so built once, not per statement.
  context_.search_path = std::move(search_path);
  context_.prepared = [this](std::string_view name) -> std::optional<policy::Decision> {
    auto it = prepared_.find(name);
    if (it == prepared_.end()) return std::nullopt;
    return it->second;
  };
}

Verdict PolicyHook::on_statement(const StatementEvent& ev) {
  DecisionCache& cache = DecisionCache::for_this_thread();
  Verdict v;
  if (const Verdict* hit = cache.find(generation_, agent_, path_key_, ev.sql)) {
    v = *hit;
  } else {
    bool cacheable = false;
    v = decide(ev, cacheable);
    if (cacheable) cache.insert(generation_, agent_, path_key_, ev.sql, v);
  }
  if (!v.forward) {
    spdlog::info("deny agent={} {}{}", agent_, v.error.message,
                 observe_ ? " (observe mode: forwarded)" : "");
    if (observe_) return Verdict::allow();
  }
  return v;
}

Verdict PolicyHook::decide(const StatementEvent& ev, bool& cacheable) {
  if (!policy_) return refuse("no policy is loaded for agent " + std::string(ev.agent), {});
  const sql::Analysis analysis = sql::analyze(ev.sql, sql::AnalyzeLimits{}, *catalog_,
                                              analysis_path_);
  policy::Decision d = policy::evaluate(*policy_, analysis, context_);

  bool state_changes = false;
  bool sets_path = false;
  for (const auto& s : analysis.statements) {
    state_changes = state_changes || touches_session_state(s);
    sets_path = sets_path || sets_search_path(s);
  }
  cacheable = analysis.ok() && !state_changes;

  const std::string& hint = d.hint.empty() ? policy_->hint() : d.hint;
  if (d.verdict == policy::Verdict::Deny) return refuse(d.reason + " [" + d.rule + "]", hint);
  if (d.verdict == policy::Verdict::Hold) {
    return refuse("held for human approval: " + d.reason + " [" + d.rule +
                      "]; approvals are not available in this version, so it is refused",
                  hint);
  }
  if (d.row_limit) {
    return refuse("this write is limited to " + std::to_string(*d.row_limit) +
                      " rows by " + d.rule +
                      ", and this version has no run-time row guard to enforce it [gateway.row_guard]",
                  hint);
  }
  if (!d.masked_columns.empty()) {
    std::string cols;
    for (const auto& c : d.masked_columns) cols += (cols.empty() ? "" : ", ") + c;
    return refuse("the result would include masked columns (" + cols +
                      ") and this version cannot mask results [gateway.masking]",
                  "Select only the columns you need, without " + cols + ".");
  }
  if (sets_path) {
    return refuse("search_path can only be chosen when connecting: a change the server could "
                  "undo unseen (rollback, a failed pipeline) or that re-plans prepared "
                  "statements would make names resolve differently for Airlock and the "
                  "server [gateway.search_path]",
                  "Set it at connect time (options=-c search_path=...), or qualify names "
                  "with their schema.");
  }
  apply_effects(analysis, d);
  return Verdict::allow();
}

// The statement will be forwarded: track what it changes in the session. Only reached for
// forms the server cannot undo behind our back (see the search_path rule above).
// The statement will be forwarded: track the SQL-level prepared statements it creates or
// drops (EXECUTE is judged by its PREPARE's decision).
void PolicyHook::apply_effects(const sql::Analysis& analysis, const policy::Decision& d) {
  for (const auto& s : analysis.statements) {
    if (s.kind == StatementKind::Prepare) prepared_.insert_or_assign(s.object_name, d);
    if (s.kind == StatementKind::Deallocate) {
      if (s.object_name.empty()) prepared_.clear();
      else prepared_.erase(s.object_name);
    }
  }
}

}  // namespace airlock::proxy

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
  switch (s.kind) {
    case StatementKind::Set: case StatementKind::Reset: case StatementKind::Discard:
    case StatementKind::Prepare: case StatementKind::Deallocate: case StatementKind::Execute:
      return true;
    default:
      return false;
  }
}

bool changes_search_path(const sql::StatementFacts& s) {
  for (const auto& c : s.settings) {
    if (c.name == "search_path" || c.action == sql::SettingAction::ResetAll) return true;
  }
  return false;
}

// DISCARD ALL (the only form that resets search_path and prepared statements).
bool is_discard_all(std::string_view text, const sql::StatementFacts& s) {
  if (s.kind != StatementKind::Discard) return false;
  std::string upper;
  for (char c : text.substr(s.text_offset, s.text_length)) {
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return upper.find("ALL") != std::string::npos;
}

std::vector<std::string> split_value(const std::string& value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = value.find(", ", start);
    if (comma == std::string::npos) comma = value.size();
    if (comma > start) out.push_back(value.substr(start, comma - start));
    start = comma + 2;
  }
  return out;
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
                       std::vector<std::string> search_path, std::string upstream_user)
    : policy_(agent.policy),
      catalog_(catalog ? std::move(catalog)
                       : std::shared_ptr<const sql::Catalog>(std::shared_ptr<void>(),
                                                             &sql::Catalog::builtin())),
      observe_(agent.mode == "observe"),
      upstream_user_(std::move(upstream_user)),
      initial_path_(search_path),
      search_path_(std::move(search_path)),
      path_key_(join(search_path_)) {}

Verdict PolicyHook::on_statement(const StatementEvent& ev) {
  DecisionCache& cache = DecisionCache::for_this_thread();
  if (const Verdict* hit = cache.find(policy_.get(), catalog_.get(), path_key_, ev.sql)) {
    return *hit;
  }
  bool cacheable = false;
  Verdict v = decide(ev, cacheable);
  if (!v.forward) {
    spdlog::info("deny agent={} {}{}", ev.agent, v.error.message, observe_ ? " (observe mode: forwarded)" : "");
    if (observe_) v = Verdict::allow();
  }
  if (cacheable) cache.insert(policy_, catalog_, path_key_, ev.sql, v);
  return v;
}

Verdict PolicyHook::decide(const StatementEvent& ev, bool& cacheable) {
  if (!policy_) return refuse("no policy is loaded for agent " + std::string(ev.agent), {});
  const sql::AnalyzeLimits limits;
  const auto path = substitute_user(search_path_, upstream_user_);
  const sql::Analysis analysis = sql::analyze(ev.sql, limits, *catalog_, path);

  policy::EvalContext ctx;
  ctx.search_path = search_path_;
  ctx.prepared = [this](std::string_view name) -> std::optional<policy::Decision> {
    auto it = prepared_.find(name);
    if (it == prepared_.end()) return std::nullopt;
    return it->second;
  };
  policy::Decision d = policy::evaluate(*policy_, analysis, ctx);

  bool state_changes = false;
  bool path_changes = false;
  for (const auto& s : analysis.statements) {
    state_changes = state_changes || touches_session_state(s);
    path_changes = path_changes || changes_search_path(s) || is_discard_all(ev.sql, s);
    for (const auto& c : s.settings) {
      if (c.name == "search_path" && c.scope == sql::SettingScope::Local) path_changes = true;
    }
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
  if (path_changes) {
    const bool lone_simple = ev.source == StatementSource::SimpleQuery &&
                             analysis.statements.size() == 1 && ev.transaction_status == 'I';
    bool local = false;
    for (const auto& c : analysis.statements.front().settings) {
      local = local || c.scope == sql::SettingScope::Local;
    }
    if (!lone_simple || local) {
      return refuse("search_path may change only in a statement of its own, outside a "
                    "transaction block, over the simple query protocol [gateway.search_path]",
                    "Send SET search_path = ... as its own query, or set it at connect time "
                    "(options=-c search_path=...).");
    }
  }
  apply_effects(analysis, d, ev.sql);
  return Verdict::allow();
}

// The statement will be forwarded: track what it changes in the session. Only reached for
// forms the server cannot undo behind our back (see the search_path rule above).
void PolicyHook::apply_effects(const sql::Analysis& analysis, const policy::Decision& d,
                               std::string_view text) {
  for (const auto& s : analysis.statements) {
    if (s.kind == StatementKind::Prepare) prepared_.insert_or_assign(s.object_name, d);
    if (s.kind == StatementKind::Deallocate) {
      if (s.object_name.empty()) prepared_.clear();
      else prepared_.erase(s.object_name);
    }
    for (const auto& c : s.settings) {
      if (c.action == sql::SettingAction::ResetAll ||
          (c.name == "search_path" && c.action != sql::SettingAction::Set)) {
        search_path_ = initial_path_;
      } else if (c.name == "search_path") {
        search_path_ = split_value(c.value);
      }
    }
    if (is_discard_all(text, s)) {
      prepared_.clear();
      search_path_ = initial_path_;
    }
  }
  path_key_ = join(search_path_);
}

}  // namespace airlock::proxy

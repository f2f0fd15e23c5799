#include "proxy/gateway_rules.hpp"

#include <algorithm>

#include "proxy/name_effects.hpp"
#include "proxy/shadow.hpp"

namespace airlock::proxy {
namespace {

using sql::StatementKind;

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

bool sets_statement_timeout(const sql::StatementFacts& s) {
  for (const auto& c : s.settings) {
    if (c.name == "statement_timeout" && (c.action == sql::SettingAction::Set ||
                                          c.action == sql::SettingAction::SetFromCurrent)) {
      return true;
    }
  }
  return false;
}

std::string qualified(const sql::RelationRef& r) {
  return (r.resolved_schema.empty() ? r.schema : r.resolved_schema) + "." + r.name;
}

bool is_write(sql::AccessMode m) {
  return m == sql::AccessMode::Insert || m == sql::AccessMode::Update ||
         m == sql::AccessMode::Delete || m == sql::AccessMode::Copy;
}

std::string action_of(sql::AccessMode m) {
  switch (m) {
    case sql::AccessMode::Insert: case sql::AccessMode::Copy: return "insert";
    case sql::AccessMode::Update: return "update";
    case sql::AccessMode::Delete: return "delete";
    default: return "";
  }
}

// A refusal whose message ends with its rule id, as every policy refusal does.
GatewayRefusal refuse(std::string rule, std::string reason, std::string hint) {
  GatewayRefusal r;
  r.message = "airlock: " + reason + " [" + rule + "]";
  r.rule = std::move(rule);
  r.reason = std::move(reason);
  r.hint = std::move(hint);
  return r;
}

}  // namespace

GatewayRules::GatewayRules(const config::Agent& agent, bool state_store)
    : policy_(agent.policy),
      agent_(agent.name),
      shadow_(agent.mode == "shadow"),
      state_store_(state_store),
      pinned_timeout_(agent.limits.statement_timeout.count() > 0),
      budgets_(agent.budgets) {}

const std::string& GatewayRules::hint(const policy::Decision& d) const {
  return !d.hint.empty() || !policy_ ? d.hint : policy_->hint();
}

std::optional<GatewayRefusal> GatewayRules::refusal(const sql::Analysis& analysis,
                                                    const policy::Decision& d) const {
  if (d.verdict == policy::Verdict::Deny) return std::nullopt;
  if (auto name = reserved_name_use(analysis)) {
    return refuse("gateway.reserved_name",
                  "the name \"" + *name + "\" is reserved for Airlock's own statements, "
                  "portals and savepoints",
                  "Use a name that does not start with airlock_.");
  }
  if (shadow_) {
    ShadowClass sc = classify_for_shadow(analysis);
    if (!sc.refusal.empty()) {
      GatewayRefusal r;
      r.sqlstate = sqlstate::kFeatureNotSupported;
      r.rule = "gateway.shadow";
      r.message = sc.refusal;
      // "airlock: <why> [gateway.shadow]" (classify_for_shadow)
      std::string_view why = sc.refusal;
      if (why.starts_with("airlock: ")) why.remove_prefix(9);
      if (why.ends_with(" [gateway.shadow]")) why.remove_suffix(17);
      r.reason = std::string(why);
      r.hint = std::move(sc.hint);
      return r;
    }
  }
  if (d.verdict == policy::Verdict::Hold && !state_store_) {
    GatewayRefusal r;
    r.rule = d.rule;
    r.reason = "held for human approval: " + d.reason +
               "; no state store is configured (state.path), so it is refused";
    r.message = "airlock: held for human approval: " + d.reason + " [" + d.rule +
                "]; no state store is configured (state.path), so it is refused";
    r.hint = hint(d);
    return r;
  }
  bool sets_path = false;
  bool sets_timeout = false;
  for (const auto& s : analysis.statements) {
    sets_path = sets_path || sets_search_path(s);
    sets_timeout = sets_timeout || sets_statement_timeout(s);
  }
  if (sets_path) {
    return refuse("gateway.search_path",
                  "search_path can only be chosen when connecting: a change the server could "
                  "undo unseen (rollback, a failed pipeline) or that re-plans prepared "
                  "statements would make names resolve differently for Airlock and the server",
                  "Set it at connect time (options=-c search_path=...), or qualify names "
                  "with their schema.");
  }
  if (pinned_timeout_ && sets_timeout) {
    return refuse("gateway.statement_timeout",
                  "statement_timeout is set by Airlock for " + agent_ + " and cannot be changed",
                  "Ask an administrator to change limits.statement_timeout.");
  }
  const bool has_budgets = !budgets_for(analysis).empty();
  const bool limited = d.row_limit || has_budgets;
  if (!limited) return std::nullopt;
  // The session masks results by the plan PolicyHook::mask_plan makes of the same fields.
  if (!d.masked_outputs.empty() || d.redact_errors) {
    return refuse("gateway.masking",
                  "a write under a row limit or budget cannot return masked columns",
                  "Leave the masked columns out of RETURNING.");
  }
  if (has_budgets && !state_store_) {
    return refuse("gateway.row_guard",
                  "a write budget applies, but no state store is configured (state.path) to "
                  "count it",
                  hint(d));
  }
  if (analysis.statements.size() != 1) {
    return refuse("gateway.row_guard",
                  "a write under a row limit or budget must be sent as a statement of its own, "
                  "not with others in one query string",
                  "Send each statement separately.");
  }
  const auto& s = analysis.statements.front();
  if (s.kind == StatementKind::Copy || s.inner_kind == StatementKind::Copy) {
    return refuse("gateway.row_guard", "COPY cannot run under a row limit or budget",
                  "Use INSERT ... SELECT or INSERT with VALUES instead.");
  }
  return std::nullopt;
}

// MERGE writes appear as update/insert/delete entries, so "merge" in a budget's actions
// matches any of them.
std::vector<BudgetRef> GatewayRules::budgets_for(const sql::Analysis& analysis) const {
  std::vector<BudgetRef> out;
  for (const auto& b : budgets_) {
    bool hit = false;
    for (const auto& s : analysis.statements) {
      for (const auto& r : s.relations) {
        if (!is_write(r.mode) || r.cte_reference) continue;
        const std::string name = qualified(r);
        const bool table_ok = b.tables.empty() ||
                              std::find(b.tables.begin(), b.tables.end(), name) != b.tables.end();
        const std::string act = action_of(r.mode);
        const bool action_ok =
            b.actions.empty() ||
            std::find(b.actions.begin(), b.actions.end(), act) != b.actions.end() ||
            (s.kind == StatementKind::Merge &&
             std::find(b.actions.begin(), b.actions.end(), "merge") != b.actions.end());
        hit = hit || (table_ok && action_ok);
      }
    }
    if (hit) {
      out.push_back(
          BudgetRef{b.id, b.tables, b.max_rows, b.window.count(), b.over_limit == "hold"});
    }
  }
  return out;
}

policy::Decision as_decision(GatewayRefusal r) {
  policy::Decision out = policy::Decision::deny(std::move(r.rule), std::move(r.reason));
  out.hint = std::move(r.hint);
  return out;
}

policy::Decision GatewayRules::apply(const sql::Analysis& analysis, policy::Decision d) const {
  auto r = refusal(analysis, d);
  return r ? as_decision(std::move(*r)) : d;
}

}  // namespace airlock::proxy

// PolicyHook: the gateway's part of a decision that the engine leaves to run time: the row
// guard and budgets for writes, holds, and the masking plan for results.
#include <algorithm>

#include "proxy/policy_hook.hpp"

#include "proxy/guard_text.hpp"

namespace airlock::proxy {
using sql::StatementKind;

// What the session masks in results: positions and styles per statement, the expected
// result shape, whether error texts must be withheld.
std::shared_ptr<const MaskPlan> PolicyHook::mask_plan(const policy::Decision& d) const {
  if (d.masked_outputs.empty() && !d.redact_errors) return nullptr;
  auto plan = std::make_shared<MaskPlan>();
  plan->redact_errors = d.redact_errors;
  plan->key = mask_key_;
  for (const auto& m : d.masked_outputs) {
    if (plan->statements.empty() || plan->statements.back().index != m.statement) {
      MaskPlan::Statement st;
      st.index = m.statement;
      for (const auto& shape : d.result_shapes) {
        if (shape.statement == m.statement) {
          st.names = shape.columns;
          st.open_ended = shape.open_ended;
        }
      }
      plan->statements.push_back(std::move(st));
    }
    plan->statements.back().columns.push_back({m.position, m.style});
  }
  return plan;
}

namespace {

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

}  // namespace

// Budgets whose tables and actions meet what the statement writes. MERGE writes appear as
// update/insert/delete entries, so "merge" in a budget's actions matches any of them.
std::vector<BudgetRef> PolicyHook::budgets_for(const sql::Analysis& analysis) const {
  std::vector<BudgetRef> out;
  if (budgets_.empty()) return out;
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
    if (hit) out.push_back(BudgetRef{b.id, b.tables, b.max_rows, b.window.count(), b.over_limit == "hold"});
  }
  return out;
}

Verdict PolicyHook::guarded(const sql::Analysis& analysis, const policy::Decision& d,
                            std::vector<BudgetRef> budgets, const std::string& hint) {
  const bool limited = d.row_limit || !budgets.empty();
  if (limited && !holds_ && !budgets.empty()) {
    return refusal("a write budget applies, but no state store is configured (state.path) to "
                  "count it [gateway.row_guard]", hint);
  }
  if (limited && analysis.statements.size() != 1) {
    return refusal("a write under a row limit or budget must be sent as a statement of its own, "
                  "not with others in one query string [gateway.row_guard]",
                  "Send each statement separately.");
  }
  auto spec = std::make_shared<GuardSpec>();
  if (limited) {
    const auto& s = analysis.statements.front();
    if (s.kind == StatementKind::Copy || s.inner_kind == StatementKind::Copy) {
      return refusal("COPY cannot run under a row limit or budget [gateway.row_guard]",
                    "Use INSERT ... SELECT or INSERT with VALUES instead.");
    }
    spec->row_limit = d.row_limit;
    spec->hold_over_limit = d.over_limit == policy::Verdict::Hold;
    spec->rule = d.rule;
    spec->command = s.command;
    std::string tables;
    for (const auto& r : s.relations) {
      if (!is_write(r.mode) || r.cte_reference) continue;
      const std::string name = qualified(r);
      if (tables.find(name) == std::string::npos) tables += (tables.empty() ? "" : ", ") + name;
    }
    spec->tables = std::move(tables);
    spec->budgets = std::move(budgets);
  }
  Verdict v = Verdict::allow();
  if (limited) v.guard = std::move(spec);
  if (d.verdict == policy::Verdict::Hold) {
    v.hold = std::make_shared<HoldSpec>(HoldSpec{d.rule, d.reason});
  }
  return v;
}

}  // namespace airlock::proxy

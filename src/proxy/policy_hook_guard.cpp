// PolicyHook: the gateway's part of a decision that the engine leaves to run time: the row
// guard and budgets for writes, holds, and the masking plan for results.
#include "proxy/policy_hook.hpp"

namespace airlock::proxy {

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

}  // namespace

// What GatewayRules::refusal let through: a write under a row limit or budget is alone in its
// string and not COPY; budgets and holds have a state store.
Verdict PolicyHook::guarded(const sql::Analysis& analysis, const policy::Decision& d,
                            std::vector<BudgetRef> budgets) {
  const bool limited = d.row_limit || !budgets.empty();
  auto spec = std::make_shared<GuardSpec>();
  if (limited) {
    const auto& s = analysis.statements.front();
    spec->row_limit = d.row_limit;
    spec->hold_over_limit = d.over_limit == policy::Verdict::Hold;
    spec->rule = d.rule;
    spec->command = s.command;
    spec->returns_rows = s.has_returning || (s.kind != sql::StatementKind::Insert &&
                                             s.kind != sql::StatementKind::Update &&
                                             s.kind != sql::StatementKind::Delete &&
                                             s.kind != sql::StatementKind::Merge);
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

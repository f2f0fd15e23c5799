#include "policy/evaluate.hpp"

#include "policy/judge.hpp"

namespace airlock::policy {
namespace {

// Texts the sql module refused before or while parsing.
Decision refused(const sql::Analysis& a) {
  const char* rule = "builtin.unsupported";
  switch (a.outcome) {
    case sql::Outcome::ParseError: rule = "builtin.unparsed"; break;
    case sql::Outcome::TooLarge: rule = "builtin.too_large"; break;
    case sql::Outcome::TooDeep: rule = "builtin.too_deep"; break;
    case sql::Outcome::InvalidUtf8: rule = "builtin.invalid_utf8"; break;
    case sql::Outcome::Unsupported:
    case sql::Outcome::Ok: break;
  }
  return Decision::deny(rule, a.reason.empty() ? "the statement was not understood" : a.reason);
}

}  // namespace

Decision evaluate(const AgentPolicy& policy, const sql::Analysis& analysis,
                  const EvalContext& context) {
  Decision d;
  if (!analysis.ok()) {
    d = refused(analysis);
  } else if (analysis.statements.empty()) {
    d = Decision::allow("builtin.empty");  // only comments or semicolons: nothing runs
  } else {
    const auto& path = analysis.search_path ? *analysis.search_path : context.search_path;
    detail::Judge j{policy, context, path, path};
    d = Decision::allow("");
    for (std::size_t i = 0; i < analysis.statements.size(); ++i) {
      const sql::StatementFacts& s = analysis.statements[i];
      j.result = Decision::allow("");
      detail::judge_statement(j, s);
      if (j.result.rule.empty()) j.result.rule = "builtin.no_objects";  // e.g. SELECT 1
      // Rules number masked positions as statement 0; each statement has its own result.
      for (auto& m : j.result.masked_outputs) m.statement = i;
      for (auto& r : j.result.result_shapes) r.statement = i;
      if (s.kind == sql::StatementKind::Prepare) j.prepared[s.object_name] = j.result;
      combine(d, j.result);
    }
  }
  if (d.verdict != Verdict::Allow) d.hint = policy.hint();
  if (d.verdict == Verdict::Deny) {  // nothing runs: no obligations
    d.row_limit.reset();
    d.masked_columns.clear();
    d.masked_outputs.clear();
    d.result_shapes.clear();
    d.redact_errors = false;
  }
  return d;
}

}  // namespace airlock::policy

#include "proxy/intent_rule.hpp"

#include "policy/read_only.hpp"
#include "sql/intent_comment.hpp"

namespace airlock::proxy {
namespace {

using sql::StatementKind;

bool about_the_session(const sql::StatementFacts& s) {
  switch (s.kind) {
    case StatementKind::TransactionControl: case StatementKind::Set:
    case StatementKind::Reset: case StatementKind::Show: case StatementKind::Discard:
    case StatementKind::Deallocate: case StatementKind::ClosePortal:
    case StatementKind::Listen: case StatementKind::Unlisten:
      return s.unsupported_reason.empty();
    default:
      return false;
  }
}

}  // namespace

bool IntentRule::needs_intent(const sql::Analysis& analysis) const {
  if (require_ == config::RequireIntent::None) return false;
  for (const auto& s : analysis.statements) {
    if (about_the_session(s)) continue;
    if (require_ == config::RequireIntent::All || !policy::writes_nothing(s)) return true;
  }
  return false;
}

GatewayRefusal IntentRule::refusal() const {
  GatewayRefusal r;
  r.rule = "intent.required";
  r.reason = require_ == config::RequireIntent::All
                 ? "this agent must state an intent for every statement"
                 : "this agent must state an intent for statements that may change data";
  r.message = "airlock: " + r.reason + " [" + r.rule + "]";
  r.hint =
      "Say why you run it: add the comment /* airlock: intent=\"refund for ticket 4411\" */ "
      "to the statement, connect with application_name=intent:<why> (or SET "
      "application_name = 'intent:<why>'), or pass the intent argument to the MCP tool.";
  return r;
}

policy::Decision IntentRule::apply(const sql::Analysis& analysis, std::string_view sql,
                                   std::string_view stated, policy::Decision d) const {
  if (d.verdict == policy::Verdict::Deny || !stated.empty() || !needs_intent(analysis) ||
      !sql::comment_intent(sql).empty()) {
    return d;
  }
  return as_decision(refusal());
}

}  // namespace airlock::proxy

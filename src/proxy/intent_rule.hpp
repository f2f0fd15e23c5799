#pragma once
// agents.<name>.require_intent (docs/access.md, "Justification"): which statements need a
// stated intent, and the refusal of one stated nowhere (rule intent.required, 42501).
//
//   none    nothing needs one (the default);
//   writes  every statement policy::writes_nothing does not accept (policy/read_only.hpp);
//   all     every statement;
// except, under both, statements about the session and its transaction only: BEGIN,
// COMMIT, ROLLBACK, SAVEPOINT (drivers send them on their own), SET, RESET, SHOW, DISCARD,
// DEALLOCATE, CLOSE, LISTEN, UNLISTEN (SET application_name is one way to state an intent).
// A query string needs one when any of its statements does.
//
// Whether a statement needs one depends on its text and the agent only, so PolicyHook
// caches it with the decision; whether one was stated depends on the session (the
// application_name, the MCP call), so the refusal is applied after the cache, as
// gateway.read_only is. Pure: no I/O.
#include <string_view>

#include "config/config.hpp"
#include "policy/decision.hpp"
#include "proxy/gateway_rules.hpp"
#include "sql/analyze.hpp"

namespace airlock::proxy {

class IntentRule {
 public:
  explicit IntentRule(const config::Agent& agent) : require_(agent.require_intent) {}

  bool needs_intent(const sql::Analysis& analysis) const;

  // The refusal, with the hint that shows the three ways to state an intent.
  GatewayRefusal refusal() const;

  // `d` as `airlock check` reports it: a deny by intent.required when the string needs an
  // intent, `d` does not deny already, and neither a comment of `sql` nor `stated` (an
  // intent given outside the statement, as a recorded one) states one.
  policy::Decision apply(const sql::Analysis& analysis, std::string_view sql,
                         std::string_view stated, policy::Decision d) const;

 private:
  config::RequireIntent require_;
};

}  // namespace airlock::proxy

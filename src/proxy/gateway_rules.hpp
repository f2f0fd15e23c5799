#pragma once
// The gateway's rules over the engine's decision that depend only on the statement (its
// analysis), the decision and the agent's configuration: no session state, no I/O. The
// gateway (PolicyHook) applies them to every statement; `airlock check` and `airlock policy
// test` apply the same rules, so all three give the same verdict and rule id.
//
// After a policy deny nothing is added (the engine's refusal stands). Otherwise, in order:
//   a name reserved for Airlock (airlock_...) as a prepared statement, cursor or savepoint
//                                                                    gateway.reserved_name
//   shadow mode: transaction control the session cannot emulate (0A000)   gateway.shadow
//   a hold, and no state store to keep it in            the hold's own rule (hold[N], ...)
//   SET search_path / SET SCHEMA / SET LOCAL search_path               gateway.search_path
//   SET statement_timeout by an agent whose limits.statement_timeout is set
//                                                                gateway.statement_timeout
//   a write under a row limit or budget that returns (or reads) masked columns
//                                                                         gateway.masking
//   a budget without a state store; a write under a row limit or budget that is not alone
//   in its query string, or is COPY                                     gateway.row_guard
// Every refusal is 42501 except gateway.shadow (0A000).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/error.hpp"
#include "policy/agent_policy.hpp"
#include "policy/decision.hpp"
#include "proxy/statement_hook.hpp"
#include "sql/facts.hpp"

namespace airlock::proxy {

struct GatewayRefusal {
  const char* sqlstate = sqlstate::kInsufficientPrivilege;
  std::string rule;     // "gateway.search_path", ...; for a hold without a store, the hold's
  std::string reason;   // what was refused, without the "airlock: " prefix and the rule id
  std::string message;  // the client's text, exactly as the gateway sends it
  std::string hint;
};

// A refusal as `airlock check` reports it: a deny with the rule's id, reason and hint.
policy::Decision as_decision(GatewayRefusal r);

class GatewayRules {
 public:
  // `state_store`: a state store is configured (state.path), so holds and budgets can be
  // honoured.
  GatewayRules(const config::Agent& agent, bool state_store);

  // The first gateway rule that refuses the statement, given the engine's decision `d`.
  std::optional<GatewayRefusal> refusal(const sql::Analysis& analysis,
                                        const policy::Decision& d) const;

  // Budgets whose tables and actions meet what the statement writes.
  std::vector<BudgetRef> budgets_for(const sql::Analysis& analysis) const;

  // The hint of a refusal or hold: the decision's own, else the agent's.
  const std::string& hint(const policy::Decision& d) const;

  // `d` as `airlock check` reports it: a refusal by a gateway rule becomes a deny with that
  // rule's id, reason and hint; otherwise `d` unchanged.
  policy::Decision apply(const sql::Analysis& analysis, policy::Decision d) const;

 private:
  std::shared_ptr<const policy::AgentPolicy> policy_;
  std::string agent_;
  bool shadow_ = false;
  bool state_store_ = false;
  bool pinned_timeout_ = false;  // limits.statement_timeout: SET statement_timeout refused
  std::vector<config::Budget> budgets_;
};

}  // namespace airlock::proxy

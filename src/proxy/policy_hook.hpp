#pragma once
// The policy as a StatementHook: one per session, on the session's thread. Analyzes the
// statement (sql::analyze with the snapshot's catalog and the session's search_path), asks
// policy::evaluate, applies the gateway's own rules on top, and tracks the session state the
// policy depends on (search_path, SQL-level prepared statements).
//
// What the gateway makes of the engine's decision. The refusals that depend only on the
// statement, the decision and the agent's config are GatewayRules (gateway_rules.hpp), which
// `airlock check` applies too. What is left:
//   hold            → forwarded once approved (Verdict::hold)
//   row_limit set, or a budget applies → forwarded under the row guard (Verdict::guard)
//   masked columns  → Verdict::mask: the session masks them in DataRows (result_mask.cpp)
//   shadow mode     → BEGIN/COMMIT/ROLLBACK classified for the session's emulation
//                     (StatementInfo::tx)
// A refusal by a gateway rule is recorded with that rule's id (StatementInfo::rule).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "policy/decision.hpp"
#include "policy/eval_context.hpp"
#include "proxy/gateway_rules.hpp"
#include "proxy/intent_rule.hpp"
#include "proxy/name_effects.hpp"
#include "proxy/statement_hook.hpp"
#include "proxy/token_leases.hpp"
#include "sql/analyze.hpp"
#include "sql/catalog.hpp"

namespace airlock::proxy {

class PolicyHook final : public StatementHook {
 public:
  // `generation` identifies the config snapshot (policies + catalog) the session uses.
  // `holds`: a state store is configured, so holds and budgets can be honoured.
  PolicyHook(const config::Agent& agent, std::shared_ptr<const sql::Catalog> catalog,
             std::uint64_t generation, std::vector<std::string> search_path,
             std::string upstream_user, bool holds = false, bool audit = false,
             bool keep_literals = false, std::string mask_key = {});

  Verdict on_statement(const StatementEvent& ev) override;
  // From now on, a statement that may change data is refused (rule gateway.read_only), with
  // `hint` as the refusal's hint: a read-only front end's session (local_front.hpp).
  void restrict_to_reads(std::string hint);
  // From now on, a statement must also pass the policy of the token the session logged in
  // with (policy/token_scope.hpp): outside it, rule token.scope; its row limit applies when
  // smaller than the agent's. Call before the first statement.
  void restrict_to_token(std::string id, std::shared_ptr<const policy::AgentPolicy> scope,
                         std::string scope_text);
  // The session's token (owned by the session, which outlives the hook): once it has ended,
  // every statement is refused (token.ended) until the watchdog ends the session, so that
  // none starts in the moments between a revocation and the session's end.
  void watch_token(const TokenLease* lease) { lease_ = lease; }
  void set_prepared_lookup(PreparedLookup lookup) override;

 private:
  Verdict decide(const StatementEvent& ev, bool& cacheable, StatementInfo* info);
  Verdict refuse_allowed(const Verdict& allowed, Verdict refused, std::string rule,
                         std::string reason) const;
  Verdict logged(Verdict refused) const;
  Verdict read_only_refusal(const Verdict& allowed) const;
  Verdict token_ended_refusal(const Verdict& allowed) const;
  void narrow_to_token(const sql::Analysis& analysis, policy::Decision& d) const;
  Verdict intent_refusal(const Verdict& allowed) const;
  Verdict judge(const sql::Analysis& analysis, policy::Decision& d, bool& cacheable,
                StatementInfo* info);
  Verdict guarded(const sql::Analysis& analysis, const policy::Decision& d,
                  std::vector<BudgetRef> budgets);
  std::shared_ptr<const MaskPlan> mask_plan(const policy::Decision& d) const;

  std::shared_ptr<const policy::AgentPolicy> policy_;
  std::shared_ptr<const sql::Catalog> catalog_;
  std::uint64_t generation_ = 0;
  std::string agent_;
  bool observe_ = false;
  bool shadow_ = false;  // mode: shadow: transaction control classified for the session
  std::string mask_key_;
  bool audit_ = false;
  bool keep_literals_ = false;
  GatewayRules rules_;  // the gateway's rules over the decision (gateway_rules.hpp)
  IntentRule intent_rule_;  // require_intent (intent_rule.hpp)
  // The login search_path: "$user" substituted for analysis, kept as written for the
  // engine, joined for the decision cache.
  const std::vector<std::string> analysis_path_;
  const std::string path_key_;
  policy::EvalContext context_;
  PreparedLookup prepared_lookup_;  // the session's names, as the server confirmed them
  // restrict_to_token(); the decision cache keys by agent + token (cache_key_).
  std::shared_ptr<const policy::AgentPolicy> token_scope_;
  std::string token_id_;
  std::string token_hint_;
  std::string cache_key_;  // agent_, or agent_ + '\0' + token id
  const TokenLease* lease_ = nullptr;  // watch_token()
  bool reads_only_ = false;         // restrict_to_reads()
  std::string reads_only_hint_;
};

}  // namespace airlock::proxy

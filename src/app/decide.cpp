// What `airlock check` and `airlock policy test` decide: the engine's decision with the
// gateway's statement rules on top, so they report what the gateway would do (kept apart
// from policy_source.cpp, which needs libpq, so tests/unit/proxy can compile it).
#include "app/policy_source.hpp"
#include "policy/evaluate.hpp"
#include "proxy/gateway_rules.hpp"
#include "proxy/intent_rule.hpp"
#include "sql/analyze.hpp"

namespace airlock::app {

policy::Decision decide(const config::Config& cfg, const config::Agent& agent,
                        const sql::Catalog& catalog, const std::string& sql,
                        std::string_view stated) {
  const policy::EvalContext context;
  const sql::Analysis analysis = sql::analyze(sql, {}, catalog, context.search_path);
  policy::Decision d = policy::evaluate(*agent.policy, analysis, context);
  // The gateway opens the store at start whenever state.path is set (services.hpp).
  const proxy::GatewayRules rules(agent, !cfg.state.path.empty());
  d = rules.apply(analysis, std::move(d));
  return proxy::IntentRule(agent).apply(analysis, sql, stated, std::move(d));
}

}  // namespace airlock::app

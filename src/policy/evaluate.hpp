#pragma once
// The policy engine's entry point: facts in, decision out. Pure: no I/O, no clock, no
// global state; safe to call from any thread on a shared AgentPolicy.
#include "policy/agent_policy.hpp"
#include "policy/decision.hpp"
#include "policy/eval_context.hpp"
#include "sql/facts.hpp"

namespace airlock::policy {

// Default deny. Every statement of the string and every fact of each statement is judged;
// the most restrictive verdict wins (deny > hold > allow). The hint of a deny or hold is
// the agent's policy summary (AgentPolicy::hint()).
Decision evaluate(const AgentPolicy& policy, const sql::Analysis& analysis,
                  const EvalContext& context);

}  // namespace airlock::policy

#include "proxy/policy_hook.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "core/hex.hpp"
#include "policy/evaluate.hpp"
#include "policy/read_only.hpp"
#include "proxy/decision_cache.hpp"
#include "proxy/guard_text.hpp"
#include "proxy/search_path.hpp"
#include "proxy/shadow.hpp"
#include "sql/intent_comment.hpp"
#include "sql/normalize.hpp"

namespace airlock::proxy {
namespace {

using sql::StatementKind;


bool touches_session_state(const sql::StatementFacts& s) {
  switch (s.kind == StatementKind::Explain ? s.inner_kind : s.kind) {
    case StatementKind::Set: case StatementKind::Reset: case StatementKind::Discard:
    case StatementKind::Prepare: case StatementKind::Deallocate: case StatementKind::Execute:
      return true;
    default:
      return false;
  }
}

std::string join(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& s : path) {
    out.append(s);
    out.push_back('\x1f');
  }
  return out;
}

bool changes_nothing(const sql::StatementFacts& s) {
  if (s.has_data_modifying_cte || s.select_into || s.is_explain_analyze) return false;
  switch (s.kind == StatementKind::Explain || s.kind == StatementKind::DeclareCursor ? s.inner_kind
                                                                                      : s.kind) {
    case StatementKind::Select: case StatementKind::Show: case StatementKind::TransactionControl:
    case StatementKind::Set: case StatementKind::Reset: case StatementKind::Discard:
    case StatementKind::Fetch: case StatementKind::ClosePortal: case StatementKind::Listen:
    case StatementKind::Unlisten: case StatementKind::Deallocate:
      return true;
    default:
      return false;
  }
}

// The audit trail's view of a decision: the policy's verdict (also in observe mode), the
// tables touched and whether the statement can change data.
void describe(const sql::Analysis& analysis, const policy::Decision& d, StatementInfo& info) {
  info.decision = std::string(policy::to_string(d.verdict));
  info.rule = d.rule;
  info.reason = d.reason;
  info.read_only = analysis.ok();
  info.writes_nothing = analysis.ok() && !analysis.statements.empty();
  for (const auto& s : analysis.statements) {
    info.read_only = info.read_only && changes_nothing(s);
    info.writes_nothing = info.writes_nothing && policy::writes_nothing(s);
    for (const auto& r : s.relations) {
      if (r.cte_reference) continue;
      std::string name = (r.resolved_schema.empty() ? r.schema : r.resolved_schema);
      name += (name.empty() ? "" : ".") + r.name;
      if (std::find(info.tables.begin(), info.tables.end(), name) == info.tables.end()) {
        info.tables.push_back(std::move(name));
      }
    }
  }
}

// Observe mode forwards what enforce mode would refuse, guard or hold, keeping what the audit
// trail and the session's name tracking need (and masks: masking refuses nothing).
Verdict observed(const Verdict& v) {
  Verdict out = Verdict::allow();
  out.info = v.info;
  out.mask = v.mask;
  out.effects = v.effects;
  return out;
}

}  // namespace

PolicyHook::PolicyHook(const config::Agent& agent, std::shared_ptr<const sql::Catalog> catalog,
                       std::uint64_t generation, std::vector<std::string> search_path,
                       std::string upstream_user, bool holds, bool audit,
                       bool keep_literals, std::string mask_key)
    : policy_(agent.policy),
      catalog_(catalog ? std::move(catalog)
                       : std::shared_ptr<const sql::Catalog>(std::shared_ptr<void>(),
                                                             &sql::Catalog::builtin())),
      generation_(generation),
      agent_(agent.name),
      observe_(agent.mode == "observe"),
      shadow_(agent.mode == "shadow"),
      mask_key_(mask_key),
      audit_(audit),
      keep_literals_(keep_literals),
      rules_(agent, holds),
      intent_rule_(agent),
      analysis_path_(substitute_user(search_path, upstream_user)),
      path_key_(join(search_path)) {
  cache_key_ = agent_;
  // Fixed for the session (SET search_path is refused), so built once, not per statement.
  context_.search_path = std::move(search_path);
  context_.prepared = [this](std::string_view name) -> std::optional<policy::Decision> {
    if (!prepared_lookup_) return std::nullopt;
    return prepared_lookup_(name);
  };
}

Verdict PolicyHook::on_statement(const StatementEvent& ev) {
  DecisionCache& cache = DecisionCache::for_this_thread();
  Verdict v;
  if (const Verdict* hit = cache.find(generation_, cache_key_, path_key_, ev.sql)) {
    v = *hit;
  } else {
    bool cacheable = false;
    auto info = std::make_shared<StatementInfo>();
    v = decide(ev, cacheable, info.get());
    {
      if (!audit_) {
        // No trail: the breaker keys by the exact text (normalizing costs two more parses).
        const std::size_t h = std::hash<std::string_view>{}(ev.sql);
        info->fingerprint = "t" + to_hex(std::string_view(reinterpret_cast<const char*>(&h), sizeof h));
      } else if (keep_literals_) {
        info->statement.assign(ev.sql);
        info->fingerprint = sql::normalize(ev.sql).fingerprint;
      } else {
        auto n = sql::normalize(ev.sql);
        info->statement = std::move(n.text);
        info->fingerprint = std::move(n.fingerprint);
      }
      info->intent = sql::comment_intent(ev.sql);
      if (!v.forward) {
        info->decision = "deny";
        info->reason = v.error.message;
      } else if (v.hold) {
        info->decision = "hold";
      }
      v.info = std::move(info);
    }
    if (cacheable) cache.insert(generation_, cache_key_, path_key_, ev.sql, v);
  }
  if (lease_ && lease_->state(now_ms()) != TokenLease::Live) {
    return logged(token_ended_refusal(v));  // also in observe mode: the credential is gone
  }
  // Also in observe mode: a read-only front's contract is not the policy's to relax.
  if (reads_only_ && (v.forward || observe_) && !(v.info && v.info->writes_nothing)) {
    return logged(read_only_refusal(v));
  }
  // What the policy lets through needs an intent stated somewhere, if the agent says so.
  if (v.forward && v.info && v.info->needs_intent && v.info->intent.empty() &&
      ev.session_intent.empty()) {
    v = intent_refusal(v);
  }
  if (!v.forward) {
    spdlog::info("deny agent={} {}{}", agent_, v.error.message,
                 observe_ ? " (observe mode: forwarded)" : "");
    if (observe_) return observed(v);
  }
  if (observe_ && (v.guard || v.hold)) {
    spdlog::info("agent={} {} (observe mode: forwarded without guard or hold)", agent_,
                 v.hold ? "hold: " + v.hold->reason : std::string("row guard"));
    return observed(v);
  }
  return v;
}

Verdict PolicyHook::decide(const StatementEvent& ev, bool& cacheable, StatementInfo* info) {
  if (!policy_) return refusal("no policy is loaded for agent " + std::string(ev.agent), {});
  sql::AnalyzeLimits limits;
  // A policy without column rules never reads a SELECT's columns: skip that walk (issue #13).
  limits.select_columns = policy_->uses_columns();
  const sql::Analysis analysis = sql::analyze(ev.sql, limits, *catalog_, analysis_path_);
  policy::Decision d = policy::evaluate(*policy_, analysis, context_);
  if (token_scope_) narrow_to_token(analysis, d);
  if (info) {
    describe(analysis, d, *info);
    info->needs_intent = intent_rule_.needs_intent(analysis);
  }
  // What it does to the session's names, applied by the session when the server confirms it
  // (also for a refusal, which observe mode forwards).
  Verdict v = judge(analysis, d, cacheable, info);
  v.effects = name_effects(analysis, d);
  return v;
}

Verdict PolicyHook::judge(const sql::Analysis& analysis, policy::Decision& d, bool& cacheable,
                          StatementInfo* info) {
  bool state_changes = false;
  for (const auto& s : analysis.statements) {
    state_changes = state_changes || touches_session_state(s);
  }
  cacheable = analysis.ok() && !state_changes;

  if (d.verdict == policy::Verdict::Deny) {
    return refusal(d.reason + " [" + d.rule + "]", rules_.hint(d));
  }
  // The rules `airlock check` applies too (gateway_rules.hpp).
  if (auto r = rules_.refusal(analysis, d)) {
    if (info) info->rule = r->rule;
    return Verdict::deny(Error::make(r->sqlstate, std::move(r->message)), std::move(r->hint));
  }
  if (shadow_ && info) {
    // Transaction control is emulated by the session (shadow.hpp); what it cannot emulate
    // was refused above.
    ShadowClass sc = classify_for_shadow(analysis);
    info->tx = sc.tx;
    info->tx_command = std::move(sc.command);
  }
  auto budgets = rules_.budgets_for(analysis);
  std::shared_ptr<const MaskPlan> mask = mask_plan(d);
  if (d.verdict == policy::Verdict::Hold || d.row_limit || !budgets.empty()) {
    Verdict v = guarded(analysis, d, std::move(budgets));
    v.mask = std::move(mask);
    return v;
  }
  Verdict v = Verdict::allow();
  v.mask = std::move(mask);
  return v;
}

void PolicyHook::restrict_to_token(std::string id,
                                   std::shared_ptr<const policy::AgentPolicy> scope,
                                   std::string scope_text) {
  token_scope_ = std::move(scope);
  token_hint_ = "Token " + id + " allows: " + scope_text +
                ". Ask for a token that covers this statement (airlock access request, or the "
                "request_access tool).";
  cache_key_ = agent_ + '\0' + id;
  token_id_ = std::move(id);
}

// A token narrows and never widens: the agent's deny or hold stands, and what the agent
// allows must also be allowed by the token's scope.
void PolicyHook::narrow_to_token(const sql::Analysis& analysis, policy::Decision& d) const {
  if (d.verdict == policy::Verdict::Deny) return;
  policy::Decision t = policy::evaluate(*token_scope_, analysis, context_);
  if (t.verdict != policy::Verdict::Allow) {
    policy::Decision denied = policy::Decision::deny(
        "token.scope", "outside the scope of token " + token_id_ + ": " + t.reason);
    denied.hint = token_hint_;
    d = std::move(denied);
    return;
  }
  if (t.row_limit && (!d.row_limit || *t.row_limit < *d.row_limit)) {
    d.row_limit = t.row_limit;
    d.over_limit = policy::Verdict::Deny;
  }
}

void PolicyHook::restrict_to_reads(std::string hint) {
  reads_only_ = true;
  reads_only_hint_ = std::move(hint);
}

// Not cached: the cache holds what the policy says, shared by every session of the agent.
// A refusal by a session-level rule, on top of what the policy allowed (never cached): the
// statement's record keeps its analysis and says the rule and reason.
Verdict PolicyHook::refuse_allowed(const Verdict& allowed, Verdict refused, std::string rule,
                                   std::string reason) const {
  auto info = allowed.info ? std::make_shared<StatementInfo>(*allowed.info)
                           : std::make_shared<StatementInfo>();
  info->decision = "deny";
  info->rule = std::move(rule);
  info->reason = std::move(reason);
  refused.info = std::move(info);
  return refused;
}

// A refusal that no mode relaxes, returned at once: logged here, as the others are below.
Verdict PolicyHook::logged(Verdict refused) const {
  spdlog::info("deny agent={} {}", agent_, refused.error.message);
  return refused;
}

Verdict PolicyHook::read_only_refusal(const Verdict& allowed) const {
  return refuse_allowed(
      allowed,
      refusal("this session runs only statements that change nothing (SELECT, SHOW, "
              "EXPLAIN without ANALYZE, calling no function that may write) "
              "[gateway.read_only]",
              reads_only_hint_),
      "gateway.read_only", "this session runs only statements that change nothing");
}

// Not cached either: whether an intent was stated depends on the session.
Verdict PolicyHook::intent_refusal(const Verdict& allowed) const {
  GatewayRefusal r = intent_rule_.refusal();
  Verdict v = refuse_allowed(
      allowed, Verdict::deny(Error::make(r.sqlstate, std::move(r.message)), std::move(r.hint)),
      r.rule, r.reason);
  // Observe mode forwards it (observed()): the session must still follow its names.
  v.effects = allowed.effects;
  v.mask = allowed.mask;
  return v;
}

// Not cached: it depends on the moment, not on the statement.
Verdict PolicyHook::token_ended_refusal(const Verdict& allowed) const {
  return refuse_allowed(
      allowed,
      refusal("token " + lease_->id + " has ended (revoked, expired or unverifiable); " +
                  "this session is closing [token.ended]",
              "Ask for a new token (airlock access request, or the request_access tool)."),
      "token.ended", "token " + lease_->id + " has ended");
}

void PolicyHook::set_prepared_lookup(PreparedLookup lookup) {
  prepared_lookup_ = std::move(lookup);
}

}  // namespace airlock::proxy

// Token leases: shared by the sessions of one token, swept by the Server.
#include "proxy/token_leases.hpp"

#include <algorithm>

#include "policy/token_scope.hpp"

namespace airlock::proxy {

std::shared_ptr<TokenLease> TokenLeases::attach(const state::Token& token, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (auto it = leases_.find(token.id); it != leases_.end()) {
    if (auto lease = it->second.lock()) {
      lease->verified_ms.store(now_ms, std::memory_order_relaxed);  // just read as live
      return lease;
    }
  }
  std::vector<policy::ScopeEntry> scope;
  for (const auto& text : token.allow) {
    auto e = policy::parse_scope_entry(text);
    if (!e) return nullptr;
    scope.push_back(std::move(*e));
  }
  std::optional<std::uint64_t> max_rows;
  if (token.max_rows) max_rows = static_cast<std::uint64_t>(*token.max_rows);
  auto lease = std::make_shared<TokenLease>();
  lease->id = token.id;
  lease->agent = token.agent;
  lease->expires_ms = token.expires_ms;
  lease->verified_ms.store(now_ms, std::memory_order_relaxed);
  if (!token.allow.empty()) {  // none: the agent's policy as it is (access/issue.hpp)
    lease->scope = std::make_shared<const policy::AgentPolicy>(
        policy::compile_scope(token.agent, scope, max_rows));
    lease->scope_text = policy::describe_scope(scope, max_rows);
  }
  if (token.revoked_ms != 0) lease->end.store(TokenLease::Revoked);
  leases_[token.id] = lease;
  return lease;
}

TokenLeases::SweepResult TokenLeases::sweep(state::Store& store, std::int64_t now_ms) {
  // Copy what to look at, then talk to the store without the lock: logins attach meanwhile.
  std::vector<std::pair<std::shared_ptr<TokenLease>, std::int64_t>> live;
  {
    std::lock_guard lock(mu_);
    for (auto it = leases_.begin(); it != leases_.end();) {
      const long sessions = it->second.use_count();
      auto lease = it->second.lock();
      if (!lease) {
        it = leases_.erase(it);
        continue;
      }
      live.emplace_back(std::move(lease), sessions);
      ++it;
    }
  }
  SweepResult out;
  std::vector<std::pair<std::string, std::int64_t>> counts;
  for (auto& [lease, sessions] : live) {
    counts.emplace_back(lease->id, sessions);
    if (lease->end.load(std::memory_order_relaxed) != TokenLease::Live) continue;
    auto token = store.get_token(lease->id);
    if (!token) {
      out.error = token.error().message;
      continue;
    }
    // Gone from the store counts as revoked: nobody may stay logged in with it.
    if (!*token || (*token)->revoked_ms != 0) {
      lease->end.store(TokenLease::Revoked, std::memory_order_relaxed);
      out.revoked.push_back(lease->id);
    } else {
      lease->verified_ms.store(now_ms, std::memory_order_relaxed);
    }
  }
  std::sort(counts.begin(), counts.end());
  if (!reported_once_ || counts != reported_) {
    if (auto s = store.set_token_sessions(counts); s) {
      reported_ = std::move(counts);
      reported_once_ = true;
    } else {
      out.error = s.error().message;
    }
  }
  if (auto events = store.claim_token_events(now_ms, 100)) {
    out.events = std::move(*events);
  } else {
    out.error = events.error().message;
  }
  return out;
}

}  // namespace airlock::proxy

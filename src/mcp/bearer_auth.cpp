#include "mcp/bearer_auth.hpp"

#include <spdlog/spdlog.h>

#include "access/issue.hpp"
#include "auth/crypto.hpp"
#include "auth/verifier.hpp"
#include "core/hex.hpp"
#include "http/bearer.hpp"

namespace airlock::mcp {
namespace {

constexpr std::size_t kMaxKnown = 4096;  // remembered secrets; the map is cleared past this

}  // namespace

std::string BearerAuth::key_of(std::string_view secret) const {
  return to_hex(auth::hmac_sha256(key_, secret));
}

namespace {

bool secret_matches(std::string_view secret, const auth::ScramVerifier& v) {
  if (v.stored_key.empty() || secret.empty()) return false;
  const std::string salted = auth::pbkdf2_hmac_sha256(secret, v.salt, v.iterations);
  const std::string stored = auth::sha256(auth::scram_client_key(salted));
  return http::constant_time_equal(stored, v.stored_key);
}

}  // namespace

std::optional<BearerAuth::Identity> BearerAuth::token_identity(
    const config::Config& cfg, std::string_view id, state::Store* store, std::int64_t now_ms,
    std::optional<auth::ScramVerifier>& verifier) {
  if (!store) return std::nullopt;
  auto token = store->get_token(id);
  if (!token) {
    spdlog::error("mcp: cannot read token {}: {}", id, token.error().message);
    return std::nullopt;
  }
  if (!*token || !(*token)->live(now_ms)) return std::nullopt;
  auto agent = cfg.agents.find((*token)->agent);
  if (agent == cfg.agents.end()) return std::nullopt;
  verifier = auth::parse_verifier((*token)->verifier);
  return Identity{agent->first, (*token)->id};
}

std::optional<BearerAuth::Identity> BearerAuth::identify(const config::Config& cfg,
                                                         std::uint64_t generation,
                                                         std::string_view secret,
                                                         state::Store* store,
                                                         std::int64_t now_ms) {
  const std::string key = key_of(secret);
  const auto token_id = access::token_id_of_secret(secret);
  {
    std::lock_guard lock(mu_);
    if (auto it = known_.find(key); it != known_.end() && it->second.generation == generation) {
      if (!token_id) return it->second.who;
    }
  }
  if (token_id) {
    // Live now? Checked at every request (a read of one row); the PBKDF2 only once.
    std::optional<auth::ScramVerifier> v;
    auto who = token_identity(cfg, *token_id, store, now_ms, v);
    if (!who) return std::nullopt;
    {
      std::lock_guard lock(mu_);
      if (auto it = known_.find(key); it != known_.end() && it->second.generation == generation) {
        return who;
      }
    }
    if (!v || !secret_matches(secret, *v)) return std::nullopt;
    std::lock_guard lock(mu_);
    if (known_.size() >= kMaxKnown) known_.clear();
    known_[key] = Known{generation, *who};
    return who;
  }
  // Every agent is tried, also after a match: the time does not tell which one, or whether.
  std::optional<std::string> found;
  std::size_t matches = 0;
  for (const auto& [name, agent] : cfg.agents) {
    if (agent.token_only) continue;  // its password, if any, is no way in
    if (secret_matches(secret, agent.verifier)) {
      ++matches;
      if (!found) found = name;
    }
  }
  if (matches > 1) {
    // A bearer names no agent: a secret that two agents share cannot say which one is
    // calling, and serving either could widen the caller's policy.
    spdlog::warn("mcp: a bearer secret matches {} agents (the first is {}); refused: give each "
                 "agent its own password", matches, *found);
    return std::nullopt;
  }
  if (!found) return std::nullopt;
  Identity who{*found, *found};
  std::lock_guard lock(mu_);
  if (known_.size() >= kMaxKnown) known_.clear();
  known_[key] = Known{generation, who};
  return who;
}

bool BearerAuth::may_try(std::string_view peer, Clock::time_point now, std::uint32_t max) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(std::string(peer));
  if (it == failures_.end()) return true;
  if (now - it->second.since > kFailureWindow) {
    failures_.erase(it);
    return true;
  }
  return it->second.count < max;
}

void BearerAuth::failed(std::string_view peer, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (failures_.size() >= kMaxKnown) failures_.clear();
  auto [it, fresh] = failures_.try_emplace(std::string(peer), Failures{now, 0});
  if (!fresh && now - it->second.since > kFailureWindow) it->second = Failures{now, 0};
  ++it->second.count;
}

}  // namespace airlock::mcp

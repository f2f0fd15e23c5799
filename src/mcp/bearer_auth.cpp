#include "mcp/bearer_auth.hpp"

#include <spdlog/spdlog.h>

#include "auth/crypto.hpp"
#include "core/hex.hpp"
#include "http/bearer.hpp"

namespace airlock::mcp {
namespace {

constexpr std::size_t kMaxKnown = 4096;  // remembered secrets; the map is cleared past this

}  // namespace

std::string BearerAuth::key_of(std::string_view secret) const {
  return to_hex(auth::hmac_sha256(key_, secret));
}

std::optional<std::string> BearerAuth::agent_for(const config::Config& cfg,
                                                 std::uint64_t generation,
                                                 std::string_view secret) {
  const std::string key = key_of(secret);
  {
    std::lock_guard lock(mu_);
    if (auto it = known_.find(key); it != known_.end() && it->second.generation == generation) {
      return it->second.agent;
    }
  }
  // Every agent is tried, also after a match: the time does not tell which one, or whether.
  std::optional<std::string> found;
  std::size_t matches = 0;
  for (const auto& [name, agent] : cfg.agents) {
    const auto& v = agent.verifier;
    if (v.stored_key.empty()) continue;
    const std::string salted = auth::pbkdf2_hmac_sha256(secret, v.salt, v.iterations);
    const std::string stored = auth::sha256(auth::scram_client_key(salted));
    if (http::constant_time_equal(stored, v.stored_key) && !secret.empty()) {
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
  if (found) {
    std::lock_guard lock(mu_);
    if (known_.size() >= kMaxKnown) known_.clear();
    known_[key] = Known{generation, *found};
  }
  return found;
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

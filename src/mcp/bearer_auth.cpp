#include "mcp/bearer_auth.hpp"

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
  for (const auto& [name, agent] : cfg.agents) {
    const auto& v = agent.verifier;
    if (v.stored_key.empty()) continue;
    const std::string salted = auth::pbkdf2_hmac_sha256(secret, v.salt, v.iterations);
    const std::string stored = auth::sha256(auth::scram_client_key(salted));
    if (http::constant_time_equal(stored, v.stored_key) && !found && !secret.empty()) {
      found = name;
    }
  }
  if (found) {
    std::lock_guard lock(mu_);
    if (known_.size() >= kMaxKnown) known_.clear();
    known_[key] = Known{generation, *found};
  }
  return found;
}

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c) != kScheme[i]) return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  return token;
}

}  // namespace airlock::mcp

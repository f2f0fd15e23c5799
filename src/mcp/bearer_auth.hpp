#pragma once
// Who a bearer secret belongs to. The secret is the one an agent logs in with on the wire,
// checked against the agent's SCRAM verifier (PBKDF2, as PostgreSQL derives it). A secret
// is tried against every agent, right or wrong, so a wrong or missing one costs the same
// time as a right one the first time; a right one is then remembered (by a keyed hash, never
// the secret itself) for the config generation it was verified against.
//
// A just-in-time token's secret ("tok_<id>.<hex>", docs/access.md) names its token: it is
// checked against that token's verifier only, and the token must be live in the state store
// at every request, so a revoked or expired token stops working at once.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config/config.hpp"
#include "state/store.hpp"

namespace airlock::mcp {

class BearerAuth {
 public:
  explicit BearerAuth(std::string process_secret) : key_(std::move(process_secret)) {}

  struct Identity {
    std::string agent;
    std::string user;  // what the session logs in as: the agent's name or the token id
  };
  // Whose secret it is, or nullopt. `store`: where tokens live (null: no tokens). Thread-safe.
  std::optional<Identity> identify(const config::Config& cfg, std::uint64_t generation,
                                   std::string_view secret, state::Store* store,
                                   std::int64_t now_ms);
  // A keyed hash of the secret (hex): names it in pools and caches.
  std::string key_of(std::string_view secret) const;

  // Each try costs a PBKDF2 per agent on an I/O thread: a client address with `max`
  // failures (mcp.auth_failures) in kFailureWindow is answered 429 without trying, until
  // the window has passed.
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kFailureWindow{10};
  bool may_try(std::string_view peer, Clock::time_point now, std::uint32_t max);
  void failed(std::string_view peer, Clock::time_point now);

 private:
  struct Known {
    std::uint64_t generation;
    Identity who;
  };
  // The live token `id` of an agent in `cfg` (and its verifier), or nullopt.
  std::optional<Identity> token_identity(const config::Config& cfg, std::string_view id,
                                         state::Store* store, std::int64_t now_ms,
                                         std::optional<auth::ScramVerifier>& verifier);
  std::string key_;
  std::mutex mu_;
  std::unordered_map<std::string, Known> known_;  // key_of(secret) → who
  struct Failures {
    Clock::time_point since;
    std::uint32_t count;
  };
  std::unordered_map<std::string, Failures> failures_;  // client address → recent failures
};

}  // namespace airlock::mcp

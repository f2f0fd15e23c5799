#pragma once
// The just-in-time tokens sessions are logged in with (docs/access.md). A session holds a
// TokenLease; the Server sweeps the leases a few times a second (sweep()), so that a token
// revoked by the CLI (another process, through the state store) or past its expiry ends
// every session using it within a second. The sweep also tells the store how many sessions
// each token has open, and hands over the token events no gateway has audited yet.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/agent_policy.hpp"
#include "state/store.hpp"

namespace airlock::proxy {

struct TokenLease {
  enum End : int { Live = 0, Expired = 1, Revoked = 2, Unverified = 3 };
  // A lease whose revocation state could not be read from the store for this long ends
  // (fail closed): a store that cannot be read must not keep a revoked token working.
  static constexpr std::int64_t kUnverifiedAfterMs = 10'000;

  std::string id;
  std::string agent;
  std::int64_t expires_ms = 0;
  // The token's scope as a policy (policy/token_scope.hpp), its description for hints;
  // null: the token has no allow list and carries its agent's policy unchanged.
  std::shared_ptr<const policy::AgentPolicy> scope;
  std::string scope_text;
  std::atomic<int> end{Live};  // set by the sweep (revoked)
  std::atomic<std::int64_t> verified_ms{0};  // when the store last said "not revoked"

  // As of now_ms; expiry needs no sweep.
  End state(std::int64_t now_ms) const {
    const int e = end.load(std::memory_order_relaxed);
    if (e != Live) return static_cast<End>(e);
    if (now_ms >= expires_ms) return Expired;
    if (now_ms - verified_ms.load(std::memory_order_relaxed) > kUnverifiedAfterMs) return Unverified;
    return Live;
  }
};

class TokenLeases {
 public:
  // A lease for a session that has just logged in with `token` (live, checked by the caller).
  // Sessions of one token share the lease. Null when the scope does not parse (it was checked
  // at issue: only a foreign writer of the store could cause it).
  std::shared_ptr<TokenLease> attach(const state::Token& token, std::int64_t now_ms);

  struct SweepResult {
    std::vector<std::string> revoked;         // tokens found revoked by this sweep
    std::vector<state::TokenEvent> events;    // to audit
    std::string error;                        // the store failed (the sweep retries)
  };
  // Any thread, one at a time (the Server's sweeper thread). Reads the state of each token
  // with a live session, marks revoked ones (and refreshes verified_ms of the others),
  // reports session counts when they changed, and claims up to 100 events.
  SweepResult sweep(state::Store& store, std::int64_t now_ms);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::weak_ptr<TokenLease>> leases_;
  std::vector<std::pair<std::string, std::int64_t>> reported_;  // last counts told to the store
  bool reported_once_ = false;
};

}  // namespace airlock::proxy

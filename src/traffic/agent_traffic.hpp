#pragma once
// Everything traffic control keeps for one agent: its rate bucket, statement breaker,
// agent-wide pause and connection count. One object per agent name, shared (by
// shared_ptr) by every session of the agent on every I/O thread; it outlives a reload that
// removes the agent until its last session ends.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "traffic/breaker.hpp"
#include "traffic/pause.hpp"
#include "traffic/settings.hpp"
#include "traffic/token_bucket.hpp"

namespace airlock::traffic {

enum class Refusal { None, RateLimit, Breaker, Paused };

// The verdict on one statement before it is sent.
struct Gate {
  Refusal refusal = Refusal::None;
  Nanos delay{0};        // admitted: hold the statement this long, then send it
  Nanos retry_after{0};  // refused: when a retry may succeed
  Error error;           // refused: ready to send (53400)
  bool breaker_trial = false;  // admitted as the half-open breaker's one trial
  bool pause_trial = false;    // admitted as the paused agent's one trial
  bool admitted() const { return refusal == Refusal::None; }
};

class AgentTraffic {
 public:
  AgentTraffic(std::string name, const Settings& settings);
  AgentTraffic(const AgentTraffic&) = delete;
  AgentTraffic& operator=(const AgentTraffic&) = delete;

  const std::string& name() const { return name_; }

  // Reload: state is kept where the new settings allow (see each part's configure()); the
  // connection count is always kept, and a lower cap only stops new connections.
  void configure(const Settings& settings);

  // The connection cap (prefer ConnectionSlot, which cannot forget the release).
  bool try_acquire_connection();
  void release_connection();
  std::uint32_t connections() const { return connections_.load(std::memory_order_relaxed); }
  std::uint32_t max_connections() const {
    return max_connections_.load(std::memory_order_relaxed);
  }

  // Pause, then breaker, then rate: a refused statement takes no token, and a half-open
  // trial granted by an earlier step is given back when a later step refuses.
  // `key`: the statement's fingerprint (see docs/policy.md, "Traffic control").
  Gate admit(std::string_view key, TimePoint now);
  // For a statement the policy already denied: pause and breaker only (a retried denial is
  // refused like any other retry), no token taken, never a delay. An admitted result must
  // be followed by record_failure (the denial), which also settles a granted trial.
  Gate check(std::string_view key, TimePoint now);
  // Exactly one of these for each admitted statement that reached a verdict: answered by
  // PostgreSQL (success or ErrorResponse) or denied by policy (a failure).
  void record_success(std::string_view key, TimePoint now);
  void record_failure(std::string_view key, TimePoint now, std::string_view error);
  // An admitted statement that will get no verdict (the client left while it was delayed):
  // gives back the half-open trials `gate` holds, so that another attempt may take them.
  void abandon(std::string_view key, const Gate& gate);

  TokenBucket& bucket() { return bucket_; }
  Breaker& breaker() { return breaker_; }
  Pause& pause() { return pause_; }

 private:
  const std::string name_;
  std::atomic<std::uint32_t> max_connections_{0};
  std::atomic<std::uint32_t> connections_{0};
  TokenBucket bucket_;
  Breaker breaker_;
  Pause pause_;
};

// One counted connection of an agent; releases it when destroyed. Move-only.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(ConnectionSlot&& other) noexcept : agent_(std::move(other.agent_)) {}
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() { reset(); }

  // The slot, or 53300 "airlock: agent X has reached its limit of N concurrent connections".
  static Result<ConnectionSlot> acquire(std::shared_ptr<AgentTraffic> agent);
  const std::shared_ptr<AgentTraffic>& agent() const { return agent_; }
  void reset();

 private:
  explicit ConnectionSlot(std::shared_ptr<AgentTraffic> agent) : agent_(std::move(agent)) {}
  std::shared_ptr<AgentTraffic> agent_;
};

}  // namespace airlock::traffic

#pragma once
// What traffic control enforces for one agent. Mirrors config::AgentLimits and
// config::BreakerSettings (traffic may not depend on config; the gateway converts), with
// every default already resolved by the loader.
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace airlock::traffic {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Nanos = std::chrono::nanoseconds;

struct RateSpec {
  double rate = 0;             // statements per second; 0 = no rate limit
  std::uint32_t burst = 1;     // statements admitted at once after an idle period; >= 1
  Nanos max_delay{0};          // an over-rate statement waits at most this long, then is refused
  bool operator==(const RateSpec&) const = default;
};

struct BreakerSpec {
  std::uint32_t failures = 5;  // 0 = no breaker; opens on failure failures+1 within window
  Nanos window{std::chrono::seconds(30)};
  Nanos cooldown{std::chrono::seconds(30)};  // open -> half-open
  std::size_t max_keys = 4096;  // statements tracked per agent; least recently used evicted
  bool operator==(const BreakerSpec&) const = default;
};

struct PauseSpec {
  double error_rate = 0.5;  // pauses when failed/total > error_rate; 0 = no pause
  std::uint32_t min_statements = 20;  // fewer statements in the window never pause
  Nanos window{std::chrono::seconds(60)};
  Nanos cooldown{std::chrono::seconds(30)};
  bool operator==(const PauseSpec&) const = default;
};

struct Settings {
  RateSpec rate;
  std::uint32_t max_connections = 0;  // 0 = no cap
  BreakerSpec breaker;
  PauseSpec pause;
  bool operator==(const Settings&) const = default;
};

// Nanoseconds since the steady clock's epoch: the one integer form every state uses.
inline std::int64_t ticks(TimePoint t) {
  return std::chrono::duration_cast<Nanos>(t.time_since_epoch()).count();
}

}  // namespace airlock::traffic

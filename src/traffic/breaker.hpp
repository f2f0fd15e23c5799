#pragma once
// The retry-storm breaker of one agent, keyed by statement fingerprint. A key that fails
// (PostgreSQL error or policy denial) more than `failures` times within `window` opens;
// while open, attempts are refused without reaching the server; after `cooldown` it is
// half-open and lets one trial through: its success closes the breaker, its failure opens
// it again for another cooldown.
//
// Memory is bounded: at most max(16, max_keys) keys per agent (least recently used evicted,
// idle ones first), and a key untouched for window + cooldown is forgotten. Successes of a
// statement that never failed create nothing. Thread-safe: 16 shards, one mutex each.
#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "traffic/settings.hpp"

namespace airlock::traffic {

class Breaker {
 public:
  enum class State { Closed, Open, HalfOpen };

  struct Check {
    bool allowed = true;
    bool trial = false;  // allowed as the single trial of a half-open breaker
    // Refused only:
    bool trial_running = false;  // half-open, its trial has not reported yet
    bool reopened = false;       // opened again by a failed trial
    Nanos retry_after{0};        // until it turns half-open (or a trial may be free)
    std::uint32_t failures = 0;  // the failures that opened it
    Nanos window{0};
    std::string last_error;
  };

  explicit Breaker(const BreakerSpec& spec = {});

  // Creates no key. Turns an open breaker whose cooldown has passed into half-open and
  // grants the trial to this caller, who must then report its outcome (record_*) or give
  // it back (cancel_trial) when the statement is not sent after all.
  Check check(std::string_view key, TimePoint now);
  void cancel_trial(std::string_view key);
  // `error` is kept (cut to 200 bytes) for the refusal message: pass text fit for the agent.
  void record_failure(std::string_view key, TimePoint now, std::string_view error);
  void record_success(std::string_view key, TimePoint now);

  // Reload: a changed spec forgets every key (open breakers close); the same spec keeps them.
  void configure(const BreakerSpec& spec);
  BreakerSpec spec() const;

  // For tests and metrics.
  std::optional<State> state(std::string_view key) const;
  std::size_t size() const;
  std::uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }
  // Drops every idle key now (they are also dropped lazily when room is needed).
  std::size_t sweep(TimePoint now);

  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kMaxErrorBytes = 200;

 private:
  struct Entry {
    std::uint64_t key = 0;
    State state = State::Closed;
    std::vector<std::int64_t> failed_at;  // closed: failures within the window, oldest first
    std::int64_t open_until = 0;
    std::int64_t trial_until = 0;  // half-open: the trial's deadline; 0 = no trial out
    std::int64_t last_touch = 0;
    std::uint32_t trip_failures = 0;
    bool reopened = false;
    std::string last_error;
  };
  using Lru = std::list<Entry>;  // front = most recently touched
  struct Shard {
    mutable std::mutex mutex;
    BreakerSpec spec;
    std::size_t capacity = 1;
    Lru lru;
    std::unordered_map<std::uint64_t, Lru::iterator> index;
  };

  static std::uint64_t hash_key(std::string_view key);
  Shard& shard_of(std::uint64_t h) const { return *shards_[h >> 60]; }
  static bool idle(const Shard& s, const Entry& e, std::int64_t now);
  static void touch(Shard& s, Lru::iterator it, std::int64_t now);
  Lru::iterator find_or_add(Shard& s, std::uint64_t h, std::int64_t now);

  std::array<std::unique_ptr<Shard>, kShards> shards_;
  std::atomic<std::uint64_t> evictions_{0};
};

// A prefix of at most `max` bytes that does not cut a UTF-8 sequence.
std::string cut_utf8(std::string_view text, std::size_t max);

}  // namespace airlock::traffic

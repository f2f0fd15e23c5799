#pragma once
// The agent-wide pause: when more than `error_rate` of an agent's statements failed within
// `window` (and at least `min_statements` ran), every statement of the agent is refused for
// `cooldown`; then one trial statement goes through, as in the breaker: success resumes
// the agent with a clean window, failure pauses it again.
//
// The window is kept as ten slots of window/10 each, so it covers the last 90-100 % of
// `window`: constant memory whatever the rate. Thread-safe (one mutex; a lock-free flag
// keeps check() cheap while the agent is not paused).
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

#include "traffic/settings.hpp"

namespace airlock::traffic {

class Pause {
 public:
  enum class State { Running, Paused, Trial };

  struct Check {
    bool allowed = true;
    bool trial = false;  // allowed as the single trial after the cooldown
    // Refused only:
    bool trial_running = false;
    bool reopened = false;  // paused again by a failed trial
    Nanos retry_after{0};
    unsigned percent = 0;  // failed share of the window that paused it, rounded down
    Nanos window{0};
  };

  explicit Pause(const PauseSpec& spec = {});

  // Same contract as Breaker::check: a granted trial is reported by record() or given back.
  Check check(TimePoint now);
  void cancel_trial();
  // Every statement that reached a verdict (answered by PostgreSQL or denied by policy).
  void record(TimePoint now, bool failed);

  // Reload: a changed spec resumes the agent with an empty window.
  void configure(const PauseSpec& spec);
  PauseSpec spec() const;
  State state() const;

  static constexpr std::int64_t kSlots = 10;

 private:
  struct Slot {
    std::int64_t index = INT64_MIN;  // which slot_len-long interval of time it counts
    std::uint32_t total = 0;
    std::uint32_t failed = 0;
  };
  void reset_window();
  void open(std::int64_t now, bool reopened);

  mutable std::mutex mutex_;
  std::atomic<bool> enabled_{false};  // error_rate > 0
  std::atomic<bool> active_{false};   // state_ != Running
  PauseSpec spec_;
  State state_ = State::Running;
  std::array<Slot, kSlots> slots_{};
  std::int64_t open_until_ = 0;
  std::int64_t trial_until_ = 0;
  unsigned percent_ = 0;
  bool reopened_ = false;
};

}  // namespace airlock::traffic

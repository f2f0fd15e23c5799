#pragma once
// An agent's statement rate limit: a token bucket of `burst` tokens refilled at `rate` per
// second, run as GCRA (one "theoretical arrival time" instead of a token count, so refill
// needs no timer). Shared by every session of the agent, on any I/O thread.
#include <atomic>
#include <cstdint>
#include <mutex>

#include "traffic/settings.hpp"

namespace airlock::traffic {

class TokenBucket {
 public:
  enum class Outcome {
    Now,      // a token was free: go
    Delayed,  // a future token is reserved for this statement: go after `wait`
    Refused,  // the next token is further away than max_delay: nothing reserved
  };
  struct Admit {
    Outcome outcome = Outcome::Now;
    Nanos wait{0};  // Delayed: how long to hold the statement; Refused: when to retry
  };

  explicit TokenBucket(const RateSpec& spec = {});

  // Reserving when delaying (instead of letting the caller ask again) keeps waiters in
  // arrival order and stops a crowd of them from waking at once and overdrawing the bucket.
  Admit admit(TimePoint now);

  // Reload. A changed rate or burst starts from a full bucket; max_delay alone keeps it.
  void configure(const RateSpec& spec);
  RateSpec spec() const;

 private:
  mutable std::mutex mutex_;
  std::atomic<bool> limited_{false};  // rate > 0; read without the lock on the fast path
  RateSpec spec_;
  std::int64_t interval_ = 0;   // ns between tokens
  std::int64_t tolerance_ = 0;  // burst * interval_
  std::int64_t tat_ = INT64_MIN;  // when the bucket is next full again, in ticks()
};

}  // namespace airlock::traffic

#include "traffic/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace airlock::traffic {

TokenBucket::TokenBucket(const RateSpec& spec) { configure(spec); }

void TokenBucket::configure(const RateSpec& spec) {
  std::lock_guard lock(mutex_);
  bool refill = spec.rate != spec_.rate || spec.burst != spec_.burst;
  spec_ = spec;
  if (spec.rate > 0) {
    // The loader bounds rate to [0.001, 1e6] and burst to [1, 1e6]: tolerance <= 1e18 ns.
    interval_ = std::max<std::int64_t>(1, std::llround(1e9 / spec.rate));
    tolerance_ = interval_ * static_cast<std::int64_t>(std::max<std::uint32_t>(1, spec.burst));
  } else {
    interval_ = tolerance_ = 0;
  }
  if (refill) tat_ = INT64_MIN;
  limited_.store(spec.rate > 0, std::memory_order_release);
}

RateSpec TokenBucket::spec() const {
  std::lock_guard lock(mutex_);
  return spec_;
}

TokenBucket::Admit TokenBucket::admit(TimePoint now) {
  if (!limited_.load(std::memory_order_acquire)) return {};
  std::int64_t t = ticks(now);
  std::lock_guard lock(mutex_);
  if (interval_ == 0) return {};  // configured off between the check and the lock
  std::int64_t next_tat = std::max(tat_, t) + interval_;
  std::int64_t allowed_at = next_tat - tolerance_;  // earliest time this statement conforms
  if (allowed_at <= t) {
    tat_ = next_tat;
    return {};
  }
  Nanos wait(allowed_at - t);
  if (wait <= spec_.max_delay) {
    tat_ = next_tat;
    return {Outcome::Delayed, wait};
  }
  return {Outcome::Refused, wait};
}

}  // namespace airlock::traffic

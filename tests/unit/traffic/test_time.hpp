#pragma once
// Test time: a fixed origin plus milliseconds, so that every row reads as a timeline.
#include <chrono>

#include "traffic/settings.hpp"

namespace airlock::traffic::test {

inline TimePoint at_ms(long long ms) {
  // One hour past the clock's epoch: nothing in a row starts at the epoch by accident.
  return TimePoint{} + std::chrono::hours(1) + std::chrono::milliseconds(ms);
}

inline Nanos ms(long long n) { return std::chrono::milliseconds(n); }

}  // namespace airlock::traffic::test

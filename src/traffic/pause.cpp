#include "traffic/pause.hpp"

#include <algorithm>

namespace airlock::traffic {
namespace {

constexpr std::int64_t kTrialRetryNs = 1'000'000'000;  // see breaker.cpp

}  // namespace

Pause::Pause(const PauseSpec& spec) : spec_(spec) {
  enabled_.store(spec.error_rate > 0, std::memory_order_release);
}

void Pause::configure(const PauseSpec& spec) {
  std::lock_guard lock(mutex_);
  if (spec == spec_) return;
  spec_ = spec;
  state_ = State::Running;
  reset_window();
  active_.store(false, std::memory_order_release);
  enabled_.store(spec.error_rate > 0, std::memory_order_release);
}

PauseSpec Pause::spec() const {
  std::lock_guard lock(mutex_);
  return spec_;
}

Pause::State Pause::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void Pause::reset_window() { slots_.fill(Slot{}); }

void Pause::open(std::int64_t now, bool reopened) {
  state_ = State::Paused;
  open_until_ = now + spec_.cooldown.count();
  trial_until_ = 0;
  reopened_ = reopened;
  active_.store(true, std::memory_order_release);
}

Pause::Check Pause::check(TimePoint now) {
  if (!active_.load(std::memory_order_acquire)) return {};
  std::int64_t t = ticks(now);
  std::lock_guard lock(mutex_);
  if (state_ == State::Running) return {};
  if (state_ == State::Paused && t >= open_until_) state_ = State::Trial;
  if (state_ == State::Trial && trial_until_ <= t) {
    trial_until_ = t + std::max<std::int64_t>(spec_.cooldown.count(), 1);
    Check c;
    c.trial = true;
    return c;
  }
  Check c;
  c.allowed = false;
  c.reopened = reopened_;
  c.percent = percent_;
  c.window = spec_.window;
  if (state_ == State::Paused) {
    c.retry_after = Nanos(open_until_ - t);
  } else {
    c.trial_running = true;
    c.retry_after = Nanos(std::min(trial_until_ - t, kTrialRetryNs));
  }
  return c;
}

void Pause::cancel_trial() {
  std::lock_guard lock(mutex_);
  if (state_ == State::Trial) trial_until_ = 0;
}

void Pause::record(TimePoint now, bool failed) {
  if (!enabled_.load(std::memory_order_acquire)) return;
  std::int64_t t = ticks(now);
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::Paused:
      return;  // statements sent before the pause; they neither count nor extend it
    case State::Trial:
      if (failed) {
        open(t, true);
      } else {
        state_ = State::Running;
        reset_window();  // the failures that paused it must not pause it again at once
        active_.store(false, std::memory_order_release);
      }
      return;
    case State::Running:
      break;
  }
  std::int64_t slot_len = std::max<std::int64_t>(1, spec_.window.count() / kSlots);
  std::int64_t index = t / slot_len;
  Slot& slot = slots_[static_cast<std::size_t>(((index % kSlots) + kSlots) % kSlots)];
  if (slot.index != index) slot = Slot{index, 0, 0};
  ++slot.total;
  if (!failed) return;  // a success never raises the rate
  ++slot.failed;
  std::uint64_t total = 0;
  std::uint64_t failures = 0;
  for (const Slot& s : slots_) {
    if (s.index > index - kSlots && s.index <= index) {
      total += s.total;
      failures += s.failed;
    }
  }
  if (total < spec_.min_statements || total == 0) return;
  if (static_cast<double>(failures) <= spec_.error_rate * static_cast<double>(total)) return;
  percent_ = static_cast<unsigned>(failures * 100 / total);
  reset_window();
  open(t, false);
}

}  // namespace airlock::traffic

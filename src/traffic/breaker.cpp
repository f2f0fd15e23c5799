#include "traffic/breaker.hpp"

#include <algorithm>
#include <functional>

namespace airlock::traffic {
namespace {

// While a trial runs, other attempts are told to come back soon rather than at its
// deadline: the trial usually answers in milliseconds.
constexpr std::int64_t kTrialRetryNs = 1'000'000'000;

}  // namespace

std::string cut_utf8(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  // Back up over continuation bytes (10xxxxxx) to the start of the cut sequence.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

Breaker::Breaker(const BreakerSpec& spec) {
  for (auto& s : shards_) {
    s = std::make_unique<Shard>();
    s->spec = spec;
    s->capacity = std::max<std::size_t>(1, spec.max_keys / kShards);
  }
}

void Breaker::configure(const BreakerSpec& spec) {
  for (auto& s : shards_) {
    std::lock_guard lock(s->mutex);
    if (s->spec == spec) continue;
    s->spec = spec;
    s->capacity = std::max<std::size_t>(1, spec.max_keys / kShards);
    s->lru.clear();
    s->index.clear();
  }
}

BreakerSpec Breaker::spec() const {
  std::lock_guard lock(shards_[0]->mutex);
  return shards_[0]->spec;
}

std::uint64_t Breaker::hash_key(std::string_view key) {
  return static_cast<std::uint64_t>(std::hash<std::string_view>{}(key));
}

bool Breaker::idle(const Shard& s, const Entry& e, std::int64_t now) {
  // window + cooldown after its last event an entry holds nothing: failures have left the
  // window, and an open breaker would have been half-open for at least a window.
  return now - e.last_touch >= s.spec.window.count() + s.spec.cooldown.count();
}

void Breaker::touch(Shard& s, Lru::iterator it, std::int64_t now) {
  it->last_touch = std::max(it->last_touch, now);
  s.lru.splice(s.lru.begin(), s.lru, it);
}

Breaker::Lru::iterator Breaker::find_or_add(Shard& s, std::uint64_t h, std::int64_t now) {
  if (auto found = s.index.find(h); found != s.index.end()) return found->second;
  // Idle entries go first; when none is idle the least recently touched one is evicted.
  // A storming key is touched on every attempt, so it is the last to go.
  while (!s.lru.empty() && (s.lru.size() >= s.capacity || idle(s, s.lru.back(), now))) {
    if (!idle(s, s.lru.back(), now)) evictions_.fetch_add(1, std::memory_order_relaxed);
    s.index.erase(s.lru.back().key);
    s.lru.pop_back();
  }
  s.lru.emplace_front();
  s.lru.front().key = h;
  s.lru.front().last_touch = now;
  s.index.emplace(h, s.lru.begin());
  return s.lru.begin();
}

Breaker::Check Breaker::check(std::string_view key, TimePoint now) {
  std::uint64_t h = hash_key(key);
  Shard& s = shard_of(h);
  std::int64_t t = ticks(now);
  std::lock_guard lock(s.mutex);
  auto found = s.index.find(h);
  if (found == s.index.end()) return {};
  Entry& e = *found->second;
  if (e.state == State::Closed) return {};
  touch(s, found->second, t);
  if (e.state == State::Open && t >= e.open_until) e.state = State::HalfOpen;
  if (e.state == State::HalfOpen && e.trial_until <= t) {
    // No trial out, or the last one never reported (its session ended): grant one.
    e.trial_until = t + std::max<std::int64_t>(s.spec.cooldown.count(), 1);
    Check c;
    c.trial = true;
    return c;
  }
  Check c;
  c.allowed = false;
  c.reopened = e.reopened;
  c.failures = e.trip_failures;
  c.window = s.spec.window;
  c.last_error = e.last_error;
  if (e.state == State::Open) {
    c.retry_after = Nanos(e.open_until - t);
  } else {
    c.trial_running = true;
    c.retry_after = Nanos(std::min(e.trial_until - t, kTrialRetryNs));
  }
  return c;
}

void Breaker::cancel_trial(std::string_view key) {
  std::uint64_t h = hash_key(key);
  Shard& s = shard_of(h);
  std::lock_guard lock(s.mutex);
  auto found = s.index.find(h);
  if (found != s.index.end() && found->second->state == State::HalfOpen) {
    found->second->trial_until = 0;
  }
}

void Breaker::record_failure(std::string_view key, TimePoint now, std::string_view error) {
  std::uint64_t h = hash_key(key);
  Shard& s = shard_of(h);
  std::int64_t t = ticks(now);
  std::lock_guard lock(s.mutex);
  if (s.spec.failures == 0) return;
  auto it = find_or_add(s, h, t);
  touch(s, it, t);
  Entry& e = *it;
  e.last_error = cut_utf8(error, kMaxErrorBytes);
  switch (e.state) {
    case State::Open:
      return;  // a statement sent before it opened; the cooldown is not extended
    case State::HalfOpen:
      e.state = State::Open;
      e.open_until = t + s.spec.cooldown.count();
      e.trial_until = 0;
      e.reopened = true;
      return;
    case State::Closed:
      break;
  }
  std::int64_t horizon = t - s.spec.window.count();
  auto first_kept = std::find_if(e.failed_at.begin(), e.failed_at.end(),
                                 [&](std::int64_t at) { return at > horizon; });
  e.failed_at.erase(e.failed_at.begin(), first_kept);
  e.failed_at.push_back(t);
  if (e.failed_at.size() > s.spec.failures) {
    e.state = State::Open;
    e.open_until = t + s.spec.cooldown.count();
    e.trip_failures = static_cast<std::uint32_t>(e.failed_at.size());
    e.reopened = false;
    e.failed_at.clear();
    e.failed_at.shrink_to_fit();
  }
}

void Breaker::record_success(std::string_view key, TimePoint /*now*/) {
  std::uint64_t h = hash_key(key);
  Shard& s = shard_of(h);
  std::lock_guard lock(s.mutex);
  auto found = s.index.find(h);
  if (found == s.index.end()) return;
  // Only a half-open breaker closes on success. An open one ignores statements sent before
  // it opened; a closed one keeps counting failures in its window (a retry storm is often
  // interleaved with successes of the same statement with other values). Not a touch:
  // successes must not keep a stale failure history from expiring.
  if (found->second->state == State::HalfOpen) {
    s.lru.erase(found->second);
    s.index.erase(found);
  }
}

std::optional<Breaker::State> Breaker::state(std::string_view key) const {
  std::uint64_t h = hash_key(key);
  const Shard& s = shard_of(h);
  std::lock_guard lock(s.mutex);
  auto found = s.index.find(h);
  if (found == s.index.end()) return std::nullopt;
  return found->second->state;
}

std::size_t Breaker::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mutex);
    n += s->lru.size();
  }
  return n;
}

std::size_t Breaker::sweep(TimePoint now) {
  std::int64_t t = ticks(now);
  std::size_t dropped = 0;
  for (auto& s : shards_) {
    std::lock_guard lock(s->mutex);
    while (!s->lru.empty() && idle(*s, s->lru.back(), t)) {
      s->index.erase(s->lru.back().key);
      s->lru.pop_back();
      ++dropped;
    }
  }
  return dropped;
}

}  // namespace airlock::traffic

#include "traffic/agent_traffic.hpp"

#include "traffic/messages.hpp"

namespace airlock::traffic {

AgentTraffic::AgentTraffic(std::string name, const Settings& settings)
    : name_(std::move(name)),
      max_connections_(settings.max_connections),
      bucket_(settings.rate),
      breaker_(settings.breaker),
      pause_(settings.pause) {}

void AgentTraffic::configure(const Settings& settings) {
  max_connections_.store(settings.max_connections, std::memory_order_relaxed);
  bucket_.configure(settings.rate);
  breaker_.configure(settings.breaker);
  pause_.configure(settings.pause);
}

bool AgentTraffic::try_acquire_connection() {
  std::uint32_t current = connections_.load(std::memory_order_relaxed);
  do {
    std::uint32_t cap = max_connections_.load(std::memory_order_relaxed);
    if (cap != 0 && current >= cap) return false;
  } while (!connections_.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
  return true;
}

void AgentTraffic::release_connection() {
  connections_.fetch_sub(1, std::memory_order_relaxed);
}

Gate AgentTraffic::check(std::string_view key, TimePoint now) {
  Gate gate;
  Pause::Check paused = pause_.check(now);
  if (!paused.allowed) {
    gate.refusal = Refusal::Paused;
    gate.retry_after = paused.retry_after;
    gate.error = agent_paused(name_, paused);
    return gate;
  }
  Breaker::Check open = breaker_.check(key, now);
  if (!open.allowed) {
    if (paused.trial) pause_.cancel_trial();
    gate.refusal = Refusal::Breaker;
    gate.retry_after = open.retry_after;
    gate.error = breaker_open(open);
    return gate;
  }
  gate.breaker_trial = open.trial;
  gate.pause_trial = paused.trial;
  return gate;
}

Gate AgentTraffic::admit(std::string_view key, TimePoint now) {
  Gate gate = check(key, now);
  if (!gate.admitted()) return gate;
  TokenBucket::Admit rate = bucket_.admit(now);
  if (rate.outcome == TokenBucket::Outcome::Refused) {
    abandon(key, gate);
    Gate limited;
    limited.refusal = Refusal::RateLimit;
    limited.retry_after = rate.wait;
    limited.error = rate_limited(name_, bucket_.spec(), rate.wait);
    return limited;
  }
  gate.delay = rate.wait;
  return gate;
}

void AgentTraffic::record_success(std::string_view key, TimePoint now) {
  breaker_.record_success(key, now);
  pause_.record(now, false);
}

void AgentTraffic::record_failure(std::string_view key, TimePoint now, std::string_view error) {
  breaker_.record_failure(key, now, error);
  pause_.record(now, true);
}

void AgentTraffic::abandon(std::string_view key, const Gate& gate) {
  if (gate.breaker_trial) breaker_.cancel_trial(key);
  if (gate.pause_trial) pause_.cancel_trial();
}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    reset();
    agent_ = std::move(other.agent_);
  }
  return *this;
}

Result<ConnectionSlot> ConnectionSlot::acquire(std::shared_ptr<AgentTraffic> agent) {
  if (!agent->try_acquire_connection()) {
    return std::unexpected(too_many_connections(agent->name(), agent->max_connections()));
  }
  return ConnectionSlot(std::move(agent));
}

void ConnectionSlot::reset() {
  if (agent_) agent_->release_connection();
  agent_.reset();
}

}  // namespace airlock::traffic

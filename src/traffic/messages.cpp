#include "traffic/messages.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace airlock::traffic {
namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kS = 1'000'000'000;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

std::string last_error(const std::string& text) {
  return text.empty() ? std::string() : " (last error: " + text + ")";
}

}  // namespace

std::string format_wait(Nanos wait) {
  std::int64_t ns = wait.count();
  // At least 1 ms: "retry in 0 ms" would invite a retry that is refused again.
  std::int64_t ms = std::max<std::int64_t>(1, ceil_div(ns, kMs));
  if (ms < 1000) return std::to_string(ms) + " ms";
  return std::to_string(ceil_div(ns, kS)) + " s";
}

std::string format_span(Nanos span) {
  std::int64_t ns = span.count();
  if (ns % kS == 0) return std::to_string(ns / kS) + "s";
  return std::to_string(ceil_div(ns, kMs)) + "ms";
}

std::string format_rate(double rate) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", rate);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

Error rate_limited(std::string_view agent, const RateSpec& spec, Nanos retry_after) {
  std::string msg = "airlock: rate limit for " + std::string(agent) + " exceeded (" +
                    format_rate(spec.rate) + " statements/s, burst " +
                    std::to_string(spec.burst) + "); retry in " + format_wait(retry_after);
  return Error::make(sqlstate::kConfigurationLimitExceeded, std::move(msg),
                     "traffic: rate limit");
}

Error breaker_open(const Breaker::Check& c) {
  std::string why = "it failed " + std::to_string(c.failures) + " times in " +
                    format_span(c.window);
  std::string msg;
  if (c.trial_running) {
    msg = "airlock: the breaker for this statement is half-open and its one trial attempt "
          "is running (" + why + last_error(c.last_error) + "); retry in " +
          format_wait(c.retry_after);
  } else if (c.reopened) {
    msg = "airlock: the breaker for this statement is open again: the trial attempt after "
          "its cool-down failed" + last_error(c.last_error) + "; it closes in " +
          format_wait(c.retry_after);
  } else {
    msg = "airlock: the breaker for this statement is open: " + why + last_error(c.last_error) +
          "; it closes in " + format_wait(c.retry_after);
  }
  return Error::make(sqlstate::kConfigurationLimitExceeded, std::move(msg),
                     "traffic: statement breaker open");
}

Error agent_paused(std::string_view agent, const Pause::Check& c) {
  std::string who = "airlock: agent " + std::string(agent) + " is paused";
  std::string why = std::to_string(c.percent) + "% of its statements failed in the last " +
                    format_span(c.window);
  std::string msg;
  if (c.trial_running) {
    msg = who + " (" + why + ") and its one trial statement is running; retry in " +
          format_wait(c.retry_after);
  } else if (c.reopened) {
    msg = who + " again: the trial statement after its pause failed; resumes in " +
          format_wait(c.retry_after);
  } else {
    msg = who + ": " + why + "; resumes in " + format_wait(c.retry_after);
  }
  return Error::make(sqlstate::kConfigurationLimitExceeded, std::move(msg),
                     "traffic: agent paused");
}

Error too_many_connections(std::string_view agent, std::uint32_t max_connections) {
  return Error::make(sqlstate::kTooManyConnections,
                     "airlock: agent " + std::string(agent) + " has reached its limit of " +
                         std::to_string(max_connections) + " concurrent connections",
                     "traffic: connection cap");
}

}  // namespace airlock::traffic

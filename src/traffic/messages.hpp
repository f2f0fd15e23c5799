#pragma once
// Ready-to-send refusals of traffic control. All use class 53 (insufficient resources),
// which clients and drivers treat as "try again later", never as a bug in the statement:
//   53400 configuration_limit_exceeded: rate limit, open breaker, paused agent;
//   53300 too_many_connections: the agent's connection cap (PostgreSQL's own code for it).
// Error::detail names the mechanism for the log ("traffic: rate limit").
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "traffic/breaker.hpp"
#include "traffic/pause.hpp"
#include "traffic/settings.hpp"

namespace airlock::traffic {

Error rate_limited(std::string_view agent, const RateSpec& spec, Nanos retry_after);
Error breaker_open(const Breaker::Check& check);
Error agent_paused(std::string_view agent, const Pause::Check& check);
Error too_many_connections(std::string_view agent, std::uint32_t max_connections);

// "120 ms" below a second, else whole seconds ("42 s"); rounded up, so that retrying at the
// time given is never early.
std::string format_wait(Nanos wait);
// A configured span as written in the file: "30s", "250ms", "1500ms".
std::string format_span(Nanos span);
// "50", "0.5", "2.25": up to three decimals, no trailing zeros.
std::string format_rate(double rate);

}  // namespace airlock::traffic

#pragma once
// Small helpers shared by the guard and hold code (guarded.cpp, holds.cpp): clock,
// refusals and the wording of messages.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/statement_hook.hpp"

namespace airlock::proxy {

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline Verdict refusal(std::string message, std::string hint) {
  return Verdict::deny(Error::make(sqlstate::kInsufficientPrivilege, "airlock: " + message),
                       std::move(hint));
}

// "UPDATE of public.subscriptions", for messages.
inline std::string describe_write(const GuardSpec& spec) {
  return (spec.command.empty() ? std::string("statement") : spec.command) +
         (spec.tables.empty() ? "" : " of " + spec.tables);
}

inline std::string human_duration(std::int64_t ms) {
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}


}  // namespace airlock::proxy

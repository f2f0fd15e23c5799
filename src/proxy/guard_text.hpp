#pragma once
// Small helpers shared by the guard and hold code (guarded.cpp, holds.cpp): clock,
// refusals and the wording of messages (human_duration is core/duration.hpp's).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/duration.hpp"
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

// The rule id a refusal names: the bracketed group that ends it ("airlock: ... [allow[2]]"),
// or that ends its first clause when more follows ("... [hold[0]]; request apr_... waits").
// "" when the message names none.
inline std::string rule_of(std::string_view message) {
  std::size_t end = std::string_view::npos;
  if (!message.empty() && message.back() == ']') end = message.size() - 1;
  else end = message.find("]; ");
  if (end == std::string_view::npos) return {};
  int depth = 0;
  for (std::size_t k = end + 1; k-- > 0;) {
    if (message[k] == ']') ++depth;
    if (message[k] == '[' && --depth == 0) return std::string(message.substr(k + 1, end - k - 1));
  }
  return {};
}

// "UPDATE of public.subscriptions", for messages.
inline std::string describe_write(const GuardSpec& spec) {
  return (spec.command.empty() ? std::string("statement") : spec.command) +
         (spec.tables.empty() ? "" : " of " + spec.tables);
}

}  // namespace airlock::proxy

#include "app/since.hpp"

#include <chrono>
#include <iostream>

#include "audit/record.hpp"
#include "core/duration.hpp"

namespace airlock::app {

std::optional<std::int64_t> parse_since(const std::string& text) {
  if (auto ms = audit::parse_time_ms(text)) return ms;
  auto d = parse_duration(text);
  if (!d) return std::nullopt;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return (now - *d).count();
}

bool read_since(const char* command, const std::string& text, std::optional<std::int64_t>& out) {
  out.reset();
  if (text.empty()) return true;
  out = parse_since(text);
  if (out) return true;
  std::cerr << command << ": --since expects a duration (30m, 1h, 2d) or a time such as "
                          "2024-05-01T12:00:00.000Z\n";
  return false;
}

}  // namespace airlock::app

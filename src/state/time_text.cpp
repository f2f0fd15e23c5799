#include "state/time_text.hpp"

#include <ctime>

namespace airlock::state {

std::string utc_text(std::int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  char buf[32];
  if (gmtime_r(&seconds, &tm) == nullptr ||
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return std::to_string(ms) + " ms";
  }
  return buf;
}

}  // namespace airlock::state

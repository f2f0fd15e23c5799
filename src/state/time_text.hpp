#pragma once
// Milliseconds since the Unix epoch as text, for messages and the approvals CLI.
#include <cstdint>
#include <string>

namespace airlock::state {

// "2024-05-01T12:00:00Z" (UTC, seconds precision).
std::string utc_text(std::int64_t ms);

}  // namespace airlock::state

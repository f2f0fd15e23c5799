#pragma once
#include <string>

namespace airlock::app {

// Configures the default spdlog logger on stderr: level trace..error, format text or json
// (one JSON object per line with time, level and msg; msg is escaped).
void setup_logging(const std::string& level, const std::string& format);

}  // namespace airlock::app

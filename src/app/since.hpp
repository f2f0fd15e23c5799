#pragma once
// The --since option of the commands that read the audit trail (audit search, policy replay,
// policy suggest): "30m" (that long ago) or a time as the trail writes it.
#include <cstdint>
#include <optional>
#include <string>

namespace airlock::app {

// Milliseconds since the epoch; nullopt when `text` is neither form.
std::optional<std::int64_t> parse_since(const std::string& text);

// --since as given: false (after telling `command`'s user what it expects on stderr) when it
// is set and does not parse; else `out` holds it (nullopt when not set).
bool read_since(const char* command, const std::string& text, std::optional<std::int64_t>& out);

}  // namespace airlock::app

#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airlock {

using Millis = std::chrono::milliseconds;

// Parses "250ms", "5s", "2m", "1h", "1d" or a bare integer (seconds).
// "0" means "disabled" wherever a timeout accepts it.
std::optional<Millis> parse_duration(std::string_view text);

// Parses "128KiB", "1MiB", "64kB", "1GB" or a bare integer (bytes).
std::optional<std::size_t> parse_size(std::string_view text);

// The shortest exact text parse_duration reads back: "2h", "15m", "90s", "250ms".
std::string human_duration(std::int64_t ms);

}  // namespace airlock

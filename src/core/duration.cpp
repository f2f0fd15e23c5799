#include "core/duration.hpp"

#include <charconv>
#include <cstdint>
#include <string>

namespace airlock {
namespace {

struct NumberAndUnit {
  std::uint64_t value;
  std::string_view unit;
};

std::optional<NumberAndUnit> split(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr == text.data()) return std::nullopt;
  std::string_view unit(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  return NumberAndUnit{v, unit};
}

std::optional<std::uint64_t> scaled(std::uint64_t v, std::uint64_t factor) {
  if (factor != 0 && v > UINT64_MAX / factor) return std::nullopt;
  return v * factor;
}

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
  auto nu = split(text);
  if (!nu) return std::nullopt;
  std::uint64_t factor = 0;
  if (nu->unit.empty() || nu->unit == "s") factor = 1000;
  else if (nu->unit == "ms") factor = 1;
  else if (nu->unit == "m" || nu->unit == "min") factor = 60'000;
  else if (nu->unit == "h") factor = 3'600'000;
  else if (nu->unit == "d") factor = 86'400'000;
  else return std::nullopt;
  auto ms = scaled(nu->value, factor);
  if (!ms || *ms > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return Millis(static_cast<std::int64_t>(*ms));
}

std::optional<std::size_t> parse_size(std::string_view text) {
  auto nu = split(text);
  if (!nu) return std::nullopt;
  std::uint64_t factor = 0;
  if (nu->unit.empty() || nu->unit == "B") factor = 1;
  else if (nu->unit == "KiB" || nu->unit == "kB" || nu->unit == "KB") factor = 1024;
  else if (nu->unit == "MiB" || nu->unit == "MB") factor = 1024 * 1024;
  else if (nu->unit == "GiB" || nu->unit == "GB") factor = 1024ull * 1024 * 1024;
  else return std::nullopt;
  auto v = scaled(nu->value, factor);
  if (!v) return std::nullopt;
  return static_cast<std::size_t>(*v);
}

std::string human_duration(std::int64_t ms) {
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace airlock

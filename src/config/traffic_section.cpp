// An agent's limits: and breaker: (issue #6): rate limit, connection cap, statement
// timeout, retry-storm breaker and agent-wide pause. Enforced by the gateway (traffic/).
#include <charconv>
#include <cmath>
#include <limits>

#include "config/sections.hpp"

namespace airlock::config::detail {
namespace {

constexpr double kMaxRate = 1'000'000;
constexpr std::uint64_t kMaxBurst = 1'000'000;
// PostgreSQL's statement_timeout is an int of milliseconds.
constexpr Millis kMaxStatementTimeout{std::numeric_limits<std::int32_t>::max()};

// A plain decimal number ("50", "0.5"); no exponent, sign, inf or nan.
std::optional<double> decimal(std::string_view s) {
  if (s.empty() || s.find_first_not_of("0123456789.") != std::string_view::npos) return {};
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc{} || ptr != s.data() + s.size()) return {};
  return v;
}

std::optional<double> rate(Reader& r, const YAML::Node& node, const std::string& path) {
  const char* expected = "expected statements per second, a number from 0.001 to 1000000 "
                         "(or 0 for no limit)";
  auto v = node.IsScalar() ? decimal(node.Scalar()) : std::nullopt;
  if (!v || (*v != 0 && (*v < 0.001 || *v > kMaxRate))) {
    r.error(node, path,
            std::string(expected) + (node.IsScalar() ? ", got '" + node.Scalar() + "'" : ""));
    return std::nullopt;
  }
  return v;
}

// A share of statements: 0.8 or 80%. 1 (100%) could never be exceeded, so it is refused.
std::optional<double> share(Reader& r, const YAML::Node& node, const std::string& path) {
  const char* expected = "expected a share of statements below 1, such as 0.5 or 50% (0 = off)";
  std::optional<double> v;
  if (node.IsScalar()) {
    std::string_view s = node.Scalar();
    bool percent = s.ends_with('%');
    if (percent) s.remove_suffix(1);
    v = decimal(s);
    if (v && percent) *v /= 100;
  }
  if (!v || *v >= 1) {
    r.error(node, path,
            std::string(expected) + (node.IsScalar() ? ", got '" + node.Scalar() + "'" : ""));
    return std::nullopt;
  }
  return v;
}


std::uint32_t to_u32(std::uint64_t v) { return static_cast<std::uint32_t>(v); }

}  // namespace

void read_agent_limits(Context& ctx, const YAML::Node& node, const std::string& path,
                       AgentLimits& out) {
  Reader& r = ctx.reader;
  int burst_line = 0;  // 0: burst not given
  r.walk_map(
      node, path, {"rate", "burst", "max_delay", "max_connections", "statement_timeout"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        if (key == "rate") {
          if (auto v = rate(r, value, key_path)) out.rate = *v;
        } else if (key == "burst") {
          burst_line = line_of(value);
          if (auto n = r.integer(value, key_path, 1, kMaxBurst)) out.burst = to_u32(*n);
        } else if (key == "max_delay") {
          // 0: refuse over-rate statements at once.
          if (auto d = r.duration(value, key_path)) out.max_delay = *d;
        } else if (key == "max_connections") {
          if (auto n = r.integer(value, key_path, 1, 1'000'000)) out.max_connections = to_u32(*n);
        } else if (auto d = r.duration(value, key_path)) {
          if (*d > kMaxStatementTimeout) {
            r.error(value, key_path, "must be at most 2147483647ms (PostgreSQL's limit)");
          } else {
            out.statement_timeout = *d;
          }
        }
      });
  if (out.rate == 0) {
    // A burst alone would limit nothing; say so rather than ignore it.
    if (burst_line != 0) r.error(burst_line, child_path(path, "burst"), "needs rate");
    out.burst = 0;
  } else if (out.burst == 0) {
    out.burst = to_u32(static_cast<std::uint64_t>(std::ceil(out.rate)));  // one second's worth
  }
}

void read_agent_breaker(Context& ctx, const YAML::Node& node, const std::string& path,
                        BreakerSettings& out) {
  Reader& r = ctx.reader;
  if (node.IsScalar() && node.Scalar() == "off") {
    out.failures = 0;
    out.pause_error_rate = 0;
    return;
  }
  if (node.IsScalar()) {
    r.error(node, path, "expected a mapping or off, got '" + node.Scalar() + "'");
    return;
  }
  r.walk_map(
      node, path,
      {"failures", "window", "cooldown", "pause_error_rate", "pause_min_statements",
       "pause_window", "pause_cooldown", "refusal_delay"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        if (key == "failures") {
          // Each tracked statement keeps up to failures+1 timestamps.
          if (auto n = r.integer(value, key_path, 0, 100)) out.failures = to_u32(*n);
        } else if (key == "pause_error_rate") {
          if (auto v = share(r, value, key_path)) out.pause_error_rate = *v;
        } else if (key == "refusal_delay") {
          if (auto d = r.duration(value, key_path)) {
            if (*d > Millis(10'000)) r.error(value, key_path, "must be at most 10s");
            else out.refusal_delay = *d;
          }
        } else if (key == "pause_min_statements") {
          if (auto n = r.integer(value, key_path, 1, 1'000'000)) {
            out.pause_min_statements = to_u32(*n);
          }
        } else if (auto d = r.positive_duration(value, key_path)) {
          if (key == "window") out.window = *d;
          else if (key == "cooldown") out.cooldown = *d;
          else if (key == "pause_window") out.pause_window = *d;
          else out.pause_cooldown = *d;
        }
      });
}

}  // namespace airlock::config::detail

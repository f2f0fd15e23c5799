#include "metrics/text_format.hpp"

#include <charconv>
#include <cmath>

namespace airlock::metrics {
namespace {

// ASCII letters and underscore: what may start a metric or label name.
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool valid_metric_name(std::string_view name) noexcept {
  if (name.empty() || !(is_letter(name[0]) || name[0] == ':')) return false;
  for (char c : name) {
    if (!(is_letter(c) || is_digit(c) || c == ':')) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) noexcept {
  if (name.empty() || !is_letter(name[0]) || name.starts_with("__")) return false;
  for (char c : name) {
    if (!(is_letter(c) || is_digit(c))) return false;
  }
  return true;
}

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void append_help(std::string& out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    // "general" picks %g style with the fewest digits that round-trip: 5e-05, 0.0001, 2.5.
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
    out.append(buf, ec == std::errc{} ? end : buf);
  }
}

}  // namespace airlock::metrics

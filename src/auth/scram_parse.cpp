// RFC 5802 attribute syntax shared by the SCRAM client and server.
#include "auth/scram_parse.hpp"

#include <charconv>

namespace airlock::auth {

std::optional<std::vector<ScramAttr>> split_attributes(std::string_view text) {
  std::vector<ScramAttr> attrs;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    if (part.size() < 2 || part[1] != '=') return std::nullopt;
    const char name = part[0];
    if (!((name >= 'a' && name <= 'z') || (name >= 'A' && name <= 'Z'))) return std::nullopt;
    attrs.push_back(ScramAttr{name, part.substr(2)});
    if (comma == std::string_view::npos) return attrs;
    text.remove_prefix(comma + 1);
  }
}

bool valid_nonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (const char c : nonce) {
    if (c < 0x21 || c > 0x7E || c == ',') return false;
  }
  return true;
}

std::optional<int> parse_iterations(std::string_view text, int max) {
  if (text.empty() || text.size() > 10 || text.front() < '0' || text.front() > '9') {
    return std::nullopt;
  }
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (value < 1 || value > max) return std::nullopt;
  return value;
}

bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

}  // namespace airlock::auth

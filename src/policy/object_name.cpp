#include "policy/object_name.hpp"

#include <vector>

namespace airlock::policy {
namespace {

bool plain_char(char c, bool first) {
  if (c >= 'a' && c <= 'z') return true;
  if (c == '_' || static_cast<unsigned char>(c) >= 0x80) return true;
  return !first && ((c >= '0' && c <= '9') || c == '$');
}

}  // namespace

std::string parse_identifier(std::string_view written) {
  if (written.size() >= 2 && written.front() == '"' && written.back() == '"') {
    std::string out;
    std::string_view inner = written.substr(1, written.size() - 2);
    for (std::size_t i = 0; i < inner.size(); ++i) {
      out += inner[i];
      if (inner[i] == '"' && i + 1 < inner.size() && inner[i + 1] == '"') ++i;
    }
    return out;
  }
  std::string out(written);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<ObjectName> parse_qualified(std::string_view written) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < written.size(); ++i) {
    if (written[i] == '"') quoted = !quoted;
    else if (written[i] == '.' && !quoted) {
      parts.push_back(written.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(written.substr(start));
  if (quoted || parts.size() != 2 || parts[0].empty() || parts[1].empty()) return std::nullopt;
  return ObjectName{parse_identifier(parts[0]), parse_identifier(parts[1])};
}

std::string quote_identifier(std::string_view name) {
  bool plain = !name.empty();
  for (std::size_t i = 0; i < name.size() && plain; ++i) plain = plain_char(name[i], i == 0);
  if (plain) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string display(const ObjectName& n) {
  if (n.schema.empty()) return quote_identifier(n.name);
  return quote_identifier(n.schema) + "." + quote_identifier(n.name);
}

}  // namespace airlock::policy

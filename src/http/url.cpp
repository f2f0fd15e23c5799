#include "http/url.hpp"

#include <charconv>

namespace airlock::http {
namespace {

auto bad(std::string_view what, std::string why) {
  return fail(sqlstate::kInvalidParameterValue,
              "invalid " + std::string(what) + ": " + std::move(why));
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

Result<Url> parse_url(std::string_view text, std::string_view what) {
  Url url;
  if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else if (text.starts_with("https://")) {
    url.tls = true;
    text.remove_prefix(8);
  } else {
    return bad(what, "it must start with http:// or https://");
  }
  std::size_t end = text.find_first_of("/?#");
  std::string_view authority = text.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view{} : text.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    return bad(what, "user info (user:password@) is not supported; use a bearer secret");
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad(what, "unterminated IPv6 address");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(what, "unexpected text after the IPv6 address");
      port = after.substr(1);
    }
    if (url.host.empty()) return bad(what, "empty host");
  } else {
    std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (url.host.empty()) return bad(what, "empty host");
    for (char c : url.host) {
      if (!host_char(c)) return bad(what, "invalid character in host");
    }
  }
  url.port = url.tls ? 443 : 80;
  if (!port.empty()) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || ptr != port.data() + port.size() || p < 1 || p > 65535) {
      return bad(what, "port must be an integer between 1 and 65535");
    }
    url.port = static_cast<std::uint16_t>(p);
  }
  std::size_t hash = rest.find('#');  // a fragment is never sent
  rest = rest.substr(0, hash);
  url.target = rest.empty() || rest.front() != '/' ? "/" + std::string(rest) : std::string(rest);
  for (char c : url.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad(what, "the path must not contain spaces or control characters");
    }
  }
  return url;
}

}  // namespace airlock::http

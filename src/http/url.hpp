#pragma once
// Just enough URL parsing for the webhook and `airlock mcp stdio --server`: http:// and
// https:// URLs with a host, an optional port and a path. No user info (secrets go in the
// Authorization header).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace airlock::http {

struct Url {
  bool tls = false;
  std::string host;        // name or address; IPv6 without brackets
  std::uint16_t port = 0;  // 80 / 443 when not given
  std::string target;      // path and query, "/" when empty
};

// Errors ("invalid <what>: ...") say what is wrong without echoing anything after the host
// (the path may carry a token, as some chat webhooks do).
Result<Url> parse_url(std::string_view text, std::string_view what = "webhook URL");

}  // namespace airlock::http

#pragma once
// A request and a response as the router sees them, free of Beast (which stays inside
// admin_server.cpp): routing and the approvals API are tested without sockets.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace airlock::http {

struct Request {
  std::string method;         // "GET", "POST", ... as sent
  std::string target;         // origin-form: "/v1/approvals?status=pending"
  std::string authorization;  // the Authorization header, "" when absent
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Allow, WWW-Authenticate

  static Response text(int status, std::string body);
  static Response json(int status, std::string body);
  // {"error": message} with that status.
  static Response json_error(int status, std::string_view message);
};

// A target split into its path and its decoded query parameters.
struct Target {
  std::string path;                                       // percent-decoded
  std::map<std::string, std::string, std::less<>> query;  // last value wins
};

// Splits and percent-decodes ('+' in the query is a space). Returns nullopt for a target
// that is not origin-form ("/..."), has a malformed %-escape or decodes to a NUL byte.
std::optional<Target> parse_target(std::string_view target);

}  // namespace airlock::http

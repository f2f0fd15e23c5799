#include "mcp/http_checks.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace airlock::mcp {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

bool host_allowed(const std::optional<std::string>& host, bool loopback) {
  if (!loopback) return true;
  if (!host || host->empty()) return false;
  std::string h = lower(*host);
  if (h.front() == '[') {
    const auto close = h.find(']');
    if (close == std::string::npos) return false;
    const std::string rest = h.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() == 1 ||
                          !std::all_of(rest.begin() + 1, rest.end(), ::isdigit))) {
      return false;
    }
    return h.substr(0, close + 1) == "[::1]";
  }
  if (const auto colon = h.find(':'); colon != std::string::npos) {
    const std::string port = h.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), ::isdigit)) return false;
    h.resize(colon);
  }
  return h == "localhost" || h == "127.0.0.1";
}

bool origin_allowed(const std::optional<std::string>& origin,
                    const std::vector<std::string>& allowed) {
  if (!origin) return true;
  const std::string o = lower(*origin);
  if (o.empty() || o == "null") return false;
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& a) { return lower(a) == o; });
}

Reply http_error(int status, std::string_view message) {
  nlohmann::json body = {{"jsonrpc", "2.0"},
                         {"id", nullptr},
                         {"error", {{"code", status == 401 || status == 403 ? -32001 : status >= 500 ? -32603 : -32600},
                                    {"message", std::string(message)}}}};
  Reply r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

void add_cors(Reply& reply, const std::string& origin) {
  reply.headers.emplace_back("Access-Control-Allow-Origin", origin);
  reply.headers.emplace_back("Vary", "Origin");
  reply.headers.emplace_back("Access-Control-Expose-Headers",
                             "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate");
}

Reply preflight(const std::string& origin) {
  Reply r;
  r.status = 204;
  add_cors(r, origin);
  r.headers.emplace_back("Access-Control-Allow-Methods", "POST");
  r.headers.emplace_back("Access-Control-Allow-Headers",
                         "Authorization, Content-Type, Accept, MCP-Protocol-Version, "
                         "Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID");
  r.headers.emplace_back("Access-Control-Max-Age", "600");
  return r;
}

}  // namespace airlock::mcp

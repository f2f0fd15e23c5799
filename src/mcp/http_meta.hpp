#pragma once
// What the HTTP layer hands the dispatcher besides the body, and what it gets back. Header
// names are matched case-insensitively by the HTTP layer; values arrive as sent (nullopt when
// the header was absent).
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace airlock::mcp {

struct HttpMeta {
  std::optional<std::string> protocol_version;  // MCP-Protocol-Version
  std::optional<std::string> session_id;        // Mcp-Session-Id (ignored: Airlock is stateless)
  std::optional<std::string> method;            // Mcp-Method
  std::optional<std::string> name;              // Mcp-Name
  std::optional<std::string> accept;            // Accept
  std::optional<std::string> content_type;      // Content-Type
};

struct Reply {
  int status = 200;  // 200, 202 (no body), 400, 404, 406, 415, 500
  std::string body;  // a JSON-RPC response; empty for 202
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type when body is set
};

}  // namespace airlock::mcp

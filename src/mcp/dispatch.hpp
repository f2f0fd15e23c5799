#pragma once
// One MCP POST body → one HTTP reply, for both eras (legacy 2025-03-26/06-18/11-25 with
// `initialize`; modern 2026-07-28, stateless). No sockets: the HTTP layer authenticates the
// caller, checks Origin and the body size, then hands over the body and the MCP headers.
// handle() never throws; a backend exception becomes a tool result "airlock: internal error".
#include <functional>
#include <string>
#include <string_view>

#include "mcp/backend.hpp"
#include "mcp/http_meta.hpp"
#include "mcp/jsonrpc.hpp"
#include "net/asio.hpp"

namespace airlock::mcp {

struct DispatchOptions {
  std::string version = "0.0.0";  // serverInfo.version
  // A fresh untrusted-data boundary per tool result; empty → random_boundary().
  std::function<std::string()> boundary;
  // 2026-07-28 caching hint for tools/list (per caller, so cacheScope "private").
  std::int64_t tools_ttl_ms = 60'000;
};

class Dispatcher {
 public:
  Dispatcher(Backend& backend, DispatchOptions options);

  net::awaitable<Reply> handle(const Caller& caller, const HttpMeta& http, std::string_view body);

 private:
  net::awaitable<Reply> handle_message(const Caller& caller, const HttpMeta& http,
                                       std::string_view body);
  net::awaitable<nlohmann::json> call_tool(const Caller& caller, const ToolRequest& request);

  Backend& backend_;
  DispatchOptions options_;
};

}  // namespace airlock::mcp

#pragma once
// Which MCP era one request belongs to, and the transport checks of 2026-07-28 (facts and
// file paths at the top of dispatch.cpp). Body first: a `params._meta` carrying
// `io.modelcontextprotocol/protocolVersion` claims the modern era; `initialize` without such
// a claim, and everything else without one, is legacy. The headers only cross-check.
#include <string>
#include <variant>

#include "mcp/http_meta.hpp"
#include "mcp/jsonrpc.hpp"

namespace airlock::mcp {

inline constexpr const char* kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr const char* kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr const char* kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
inline constexpr const char* kMetaServerInfo = "io.modelcontextprotocol/serverInfo";

struct LegacyEra {};
struct ModernEra {
  std::string version;
};
// Refused before any method runs: HTTP status and JSON-RPC error.
struct EraRejection {
  int status = 400;
  jsonrpc::Error error;
};

using Era = std::variant<LegacyEra, ModernEra, EraRejection>;

// For requests and notifications (not responses).
Era classify_era(const HttpMeta& http, const jsonrpc::Message& message);

}  // namespace airlock::mcp

#pragma once
// `airlock mcp stdio` (issue #12, docs/mcp.md "stdio"): for MCP hosts that launch a
// subprocess. Reads newline-delimited JSON-RPC messages (MCP stdio transport) from `in`,
// POSTs each to a running Airlock's Streamable-HTTP endpoint with the agent's bearer, and
// writes the answers to `out`, one line each. It holds no database credentials and decides
// nothing: the gateway behind the URL authenticates, checks and runs every call.
//
// One request at a time over one keep-alive connection (reconnected once when the server
// closed it in between). The MCP headers an HTTP client would send are derived from each
// message (stdio_messages.hpp). A request the server cannot answer (unreachable, timed out,
// 401/403, a non-JSON error page) gets a JSON-RPC error with its id, so that the client
// fails instead of waiting; the reason also goes to `err`. The token is never written anywhere.
#include <chrono>
#include <iosfwd>
#include <string>

namespace airlock::mcp {

struct StdioBridgeOptions {
  std::string server_url;  // http://host:port/mcp or https://...
  std::string token;       // sent as "Authorization: Bearer <token>"
  std::string ca_file;     // https: PEM CA certificates to trust; "" = the system's trust store
  // Per request, from sending to the whole answer (statements may wait on locks or holds).
  std::chrono::milliseconds timeout{std::chrono::seconds(300)};
  std::istream* in = nullptr;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  std::string user_agent = "airlock-mcp-stdio";
};

// Runs until `in` ends: 0 then; 2 when the URL or the CA file is unusable (before reading
// anything); 1 when `out` fails (the client went away).
int run_stdio_bridge(const StdioBridgeOptions& options);

}  // namespace airlock::mcp

#pragma once
// The checks the MCP listener makes before a request reaches the dispatcher, as pure
// functions (tested without sockets), and the shape of its own error answers.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/http_meta.hpp"

namespace airlock::mcp {

// A listener on a loopback address answers only requests whose Host names a loopback host
// (localhost, 127.0.0.1, [::1], any port): a DNS-rebinding page sends its own name. Other
// listeners accept any Host.
bool host_allowed(const std::optional<std::string>& host, bool loopback);

// No Origin (not a browser): allowed. Otherwise it must be one of `allowed`, compared
// without regard to case ("null" never is).
bool origin_allowed(const std::optional<std::string>& origin,
                    const std::vector<std::string>& allowed);

// A JSON-RPC error answer with id null (the request was not read as JSON-RPC):
// {"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":...}}; -32001 for 401/403,
// -32603 for 5xx.
Reply http_error(int status, std::string_view message);

// CORS for a browser client whose Origin is allowed (origin_allowed): the headers of every
// answer, and of the answer to a preflight OPTIONS.
void add_cors(Reply& reply, const std::string& origin);
Reply preflight(const std::string& origin);

}  // namespace airlock::mcp

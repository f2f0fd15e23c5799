#pragma once
// `tools/call` params → ToolRequest, enforcing the tool's inputSchema (tool_schema.cpp) by
// hand: required arguments, types, no unknown properties, params elements that are scalars,
// and the size bounds. A failure is a JSON-RPC -32602 error (issue #12: wrong argument types
// get JSON-RPC errors), with a message that names the argument.
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "mcp/backend.hpp"
#include "mcp/jsonrpc.hpp"

namespace airlock::mcp {

// `params` is the request's params object (name, arguments, _meta, ...); `request_id` the
// JSON-RPC id, copied into ToolRequest::request_id as JSON text. A tool the ToolSet does not
// show (execute for a read-only agent) is an unknown tool.
std::variant<ToolRequest, jsonrpc::Error> parse_tool_call(const nlohmann::json& params,
                                                         const nlohmann::json& request_id,
                                                         const ToolSet& set);

// One `params` element as PostgreSQL text: strings as they are, integers exactly, other
// numbers as the shortest text that reads back the same double, booleans "true"/"false",
// null → nullopt. Arrays and objects are not values (the caller refuses them).
std::optional<std::string> param_text(const nlohmann::json& value);

}  // namespace airlock::mcp

#pragma once
// ToolResult → MCP CallToolResult (server/tools.mdx "Tool Result"; schema.ts CallToolResult):
// `content` (one text block), `structuredContent` (matching the tool's outputSchema) and
// `isError`.
//
// Errors carry no structuredContent: @modelcontextprotocol/sdk 1.x validates structuredContent
// against the outputSchema even when isError is true (src/client/index.ts callTool, v1.x
// branch), 2.x only when it is false (packages/client/src/client/client.ts callTool). The
// error's fields go into the text and into `_meta["airlock/error"]` instead.
//
// Rows are data from the database, so the text wraps them between tags carrying a random
// boundary and tells the model not to follow instructions found inside; a value cannot close
// the block because it cannot know the boundary (and each row is a JSON array on its own line,
// so values cannot even start a line).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mcp/backend.hpp"

namespace airlock::mcp {

// `boundary`: a fresh random token per result (see random_boundary()).
nlohmann::json shape_tool_result(const ToolRequest& request, const ToolResult& result,
                                 std::string_view boundary);

// The result of a call that failed inside Airlock (an exception, a malformed backend answer):
// isError with "airlock: internal error".
nlohmann::json internal_error_result();

// 16 random bytes as 32 hex digits (std::random_device).
std::string random_boundary();

}  // namespace airlock::mcp

#pragma once
// The fixed tools of issue #12 as MCP `Tool` objects (server/tools.mdx, schema.ts `Tool`):
// name, title, description, inputSchema, outputSchema, annotations. The input schemas are
// closed (`additionalProperties: false`) and tool_args.cpp enforces exactly them; every
// outputSchema accepts exactly what tool_result.cpp puts in structuredContent when
// isError is false (clients validate it with ajv).
#include <string_view>

#include <nlohmann/json.hpp>

#include "mcp/backend.hpp"

namespace airlock::mcp {

// Longest `sql` argument and most `params` elements a call may carry.
inline constexpr std::size_t kMaxSqlBytes = 1024 * 1024;
inline constexpr std::size_t kMaxParams = 1000;
// Most scope entries a request_access call may name.
inline constexpr std::size_t kMaxAllowEntries = 100;

// The tools `set` shows, in a fixed order (clients cache by it): list_tables, describe_table,
// query, execute (only when set.execute), explain, check, approval_status, request_access,
// access_status.
nlohmann::json tool_definitions(const ToolSet& set);

// One tool's definition, or null when `name` is not a tool this ToolSet shows.
nlohmann::json tool_definition(std::string_view name, const ToolSet& set);

}  // namespace airlock::mcp

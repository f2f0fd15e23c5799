#pragma once
// What the MCP front end asks of the gateway, as plain values: the tools a caller may see and
// one tool call. The JSON-RPC layer (dispatch.hpp) turns requests into ToolRequest and
// ToolResult into MCP results; the gateway side (gateway_backend.hpp) runs each call through
// an in-process client session, so that every statement meets the same analysis, decision,
// guards, masks and audit as on the wire. Nothing here knows JSON or sockets.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/asio.hpp"

namespace airlock::mcp {

// Who is calling: the agent the bearer secret belongs to, and where from.
struct Caller {
  std::string agent;
  std::string user;        // the login user: the agent's name, or a token's id (docs/access.md)
  std::string secret;      // the bearer secret: the in-process session logs in with it
  std::string secret_key;  // identifies the secret (a keyed hash), for pooling sessions
  std::string client;      // "127.0.0.1:53122"
  std::size_t io = 0;      // the gateway I/O thread the request is served on

  // What the caller logs in as ("" user: the agent itself), and its token's id ("" = none).
  const std::string& login() const { return user.empty() ? agent : user; }
  std::string token() const { return login() != agent ? login() : std::string(); }
};

// Tool names, fixed by issue #12 so that clients can rely on them.
namespace tool {
inline constexpr const char* kListTables = "list_tables";
inline constexpr const char* kDescribeTable = "describe_table";
inline constexpr const char* kQuery = "query";
inline constexpr const char* kExecute = "execute";
inline constexpr const char* kExplain = "explain";
inline constexpr const char* kCheck = "check";
inline constexpr const char* kApprovalStatus = "approval_status";
inline constexpr const char* kRequestAccess = "request_access";  // docs/access.md
inline constexpr const char* kAccessStatus = "access_status";
}  // namespace tool

// A tools/call after its arguments were checked against the tool's input schema.
struct ToolRequest {
  std::string tool;
  std::string request_id;  // the JSON-RPC id, as JSON text ("7", "\"abc\"")
  std::string sql;         // query, execute, explain, check
  // query, execute, explain: $1, $2, ... as text (numbers and booleans as PostgreSQL reads
  // them); nullopt = SQL NULL.
  std::vector<std::optional<std::string>> params;
  std::string table;  // describe_table
  std::string id;     // approval_status, access_status
  // request_access: the scope ("schema.table:action,..."), the token's lifetime (nullopt:
  // the default, 15m), most rows per write, and why.
  std::vector<std::string> allow;
  std::optional<std::chrono::milliseconds> ttl;
  std::optional<std::int64_t> max_rows;
  std::string reason;
  std::string intent;  // optional `intent` argument of any tool (issue #14); "" when absent
};

struct ResultColumn {
  std::string name;
  std::string type;  // PostgreSQL type name, "text", "int4", ...; "" when unknown
};

// What one call produced. Exactly one of the payload groups is filled, per tool.
struct ToolResult {
  // A refusal (denial, hold, error): `message` is the same "airlock: ... [rule]" text the
  // wire client gets, `hint` its HINT, `sqlstate` its SQLSTATE.
  bool is_error = false;
  std::string message;
  std::string hint;
  std::string sqlstate;
  std::string rule;         // "" when not a policy decision
  std::string approval_id;  // a held execute: the approval request to wait for

  // query, explain: the rows (text format; nullopt = NULL), bounded by mcp.max_rows and
  // mcp.max_result_bytes. `truncated` says that more rows existed, `truncation` why.
  std::vector<ResultColumn> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  bool truncated = false;
  std::string truncation;  // "max_rows (500)" | "max_result_bytes (1048576)"

  // execute: the command tag ("UPDATE 3") and the rows it changed, when the tag says.
  std::string command;
  std::optional<std::int64_t> rows_changed;

  // list_tables, describe_table, check, approval_status, request_access, access_status: the
  // structured answer as JSON text (an object), already shaped for structuredContent.
  std::string json;
};

// A refusal: `message` is what the wire client would get ("airlock: ... [rule]").
inline ToolResult tool_error(std::string message, std::string hint = {},
                             std::string sqlstate = "42501") {
  ToolResult r;
  r.is_error = true;
  r.message = std::move(message);
  r.hint = std::move(hint);
  r.sqlstate = std::move(sqlstate);
  return r;
}

// Which of the fixed tools a caller sees.
struct ToolSet {
  bool execute = false;  // only for agents with a write entry
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual ToolSet tools_for(const Caller& caller) const = 0;
  virtual net::awaitable<ToolResult> call(const Caller& caller, const ToolRequest& request) = 0;
  // A tools/call refused before it ran (unknown tool, arguments that fail the schema): the
  // audit trail records it too. `tool` may be "" (no name given); `why` is the error text.
  virtual void refused(const Caller& caller, const std::string& tool,
                       const std::string& request_id, const std::string& why) {
    (void)caller, (void)tool, (void)request_id, (void)why;
  }
};

}  // namespace airlock::mcp

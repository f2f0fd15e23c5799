#pragma once
// The pure half of `airlock mcp stdio` (stdio_bridge.hpp): what one line from the MCP client
// says about itself, the MCP headers an HTTP client would send with it, and how one HTTP
// answer becomes zero or more lines for the client. No sockets, no streams.
//
// Headers mirror the official clients (tests/mcp, @modelcontextprotocol/sdk 1.x and
// @modelcontextprotocol/client 2.x; see era.cpp for what the server requires):
// - MCP-Protocol-Version: params._meta["io.modelcontextprotocol/protocolVersion"] when the
//   message names one, else the version the last `initialize` negotiated (never on an
//   `initialize` itself).
// - Mcp-Method and Mcp-Name: only for messages of a modern (2026-07-28 or later) version.
//   Mcp-Name is params.name (tools/call, prompts/get), params.uri (resources/read) or
//   params.taskId (tasks/*), `=?base64?...?=`-encoded when it is not plain visible ASCII.
#include <cstddef>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::mcp::stdio {

// JSON-RPC error codes of the bridge's own answers.
inline constexpr int kTransportError = -32000;  // the server could not be reached or answered oddly
inline constexpr int kRefused = -32001;         // HTTP 401 / 403
inline constexpr int kInvalidRequest = -32600;  // e.g. a line over the size limit

inline constexpr const char* kBearerRefused =
    "the MCP server refused the bearer: set AIRLOCK_TOKEN to the agent's password or token";

// One line from the client.
struct Outgoing {
  bool parsed = false;                      // a JSON object
  bool expects_answer = false;              // a request: a method and an id
  nlohmann::json id;                        // the request's id; null otherwise
  std::string method;                       // "" when absent or not a string
  std::optional<std::string> meta_version;  // params._meta[...protocolVersion], when a string
  std::optional<std::string> name;          // what Mcp-Name would carry, before encoding
};

Outgoing inspect(std::string_view line);

struct McpHeaders {
  std::optional<std::string> protocol_version;  // MCP-Protocol-Version
  std::optional<std::string> method;            // Mcp-Method
  std::optional<std::string> name;              // Mcp-Name, encoded
};

// `negotiated`: result.protocolVersion of the last successful initialize, if any.
McpHeaders mcp_headers(const Outgoing& message, const std::optional<std::string>& negotiated);

// A header value for Mcp-Name (2026-07-28 streamable-http.mdx "Value Encoding"): as is when
// it is visible ASCII (spaces inside allowed) without edge whitespace, else
// `=?base64?<Base64 of the bytes>?=`. decode_header_value() is the inverse.
std::string encode_header_value(std::string_view value);

// True when `value` can go into an HTTP header as is (visible ASCII and inner spaces).
bool plain_header_value(std::string_view value);

// result.protocolVersion of a successful initialize response (one JSON text), else nullopt.
std::optional<std::string> negotiated_version(std::string_view response);

// The data of each event of a text/event-stream body (data lines joined by "\n", events
// without data skipped; an unterminated last event counts).
std::vector<std::string> sse_data(std::string_view body);

// A JSON text on one line: CR and LF become spaces (inside valid JSON they can only be
// whitespace between tokens).
std::string one_line(std::string_view json_text);

// One JSON-RPC error response; a null id is written as "id": null.
std::string error_line(const nlohmann::json& id, int code, std::string_view message,
                       const nlohmann::json& data = nullptr);

struct HttpAnswer {
  int status = 200;
  std::string content_type;  // as sent, parameters included
  std::string body;
};

struct Translation {
  std::vector<std::string> lines;  // for stdout, one JSON text each
  std::string note;                // for stderr; "" = nothing to say
};

// What the client gets for the answer to `message`. JSON bodies pass through (an error
// without an id gets the request's id, so that the client can match it); a 401 or 403, or
// a non-2xx without a JSON body, becomes an error response for a request and a note either
// way. Notifications and posted responses get no line.
Translation translate(const Outgoing& message, const HttpAnswer& answer);

enum class LineRead { Line, TooLong, End };

// The next line of `in` without its "\n" (and a trailing "\r"). A line longer than
// `max_bytes` is consumed whole and reported as TooLong (`line` then holds its first bytes).
// End: nothing left (a last line without "\n" is still a Line).
LineRead read_line(std::istream& in, std::string& line, std::size_t max_bytes);

// What the client gets when no HTTP answer came (`what`: connecting to ..., timed out, ...).
Translation transport_failure(const Outgoing& message, std::string_view what);

}  // namespace airlock::mcp::stdio

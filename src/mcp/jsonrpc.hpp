#pragma once
// One Streamable HTTP POST body as a JSON-RPC 2.0 message (MCP basic/index.mdx, "Messages"):
// a request (id + method), a notification (method, no id) or a response the client posted.
// Pure: bytes in, a value out; nothing throws. Batches are refused as a whole, before any
// element is looked at. Ids are strings or integers only (MCP forbids null; floats and
// objects are refused too), so an id echoed back is always one the client can match.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace airlock::mcp::jsonrpc {

using nlohmann::json;

// JSON-RPC 2.0 codes, and those MCP 2026-07-28 reserves (-32020..-32099, basic/index.mdx
// "Error Codes"; schema/2026-07-28/schema.ts HEADER_MISMATCH etc.).
namespace code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kHeaderMismatch = -32020;
inline constexpr int kMissingRequiredClientCapability = -32021;
inline constexpr int kUnsupportedProtocolVersion = -32022;
}  // namespace code

// Bodies nested deeper than this are refused before nlohmann parses them (its parser
// recurses once per level).
inline constexpr int kMaxNesting = 64;

struct Error {
  int code = code::kInternalError;
  std::string message;
  json data;  // null = no `data` member
};

enum class Kind { Request, Notification, Response };

struct Message {
  Kind kind = Kind::Request;
  json id;             // string or integer; null for a notification
  std::string method;  // "" for a response
  json params;         // an object, or null when absent
};

// A message that could not be accepted: the error to answer with, and the id when it could
// be read (null otherwise: the error response then carries no id).
struct Rejected {
  Error error;
  json id;
};

using Decoded = std::variant<Message, Rejected>;

// True when no array or object in `body` is nested deeper than `max_depth` (strings and
// their escapes are skipped). Linear, no allocation; malformed JSON is left to the parser.
bool nesting_within(std::string_view body, int max_depth = kMaxNesting) noexcept;

// Parses and classifies one POST body.
Decoded decode(std::string_view body);

// `id` must be a string or an integer (a valid JSON-RPC id as decode() accepts it).
bool valid_id(const json& id) noexcept;

// Serialized response texts. Invalid UTF-8 in any string is replaced, never thrown on.
std::string result_response(const json& id, const json& result);
std::string error_response(const json& id, const Error& error);  // id null: "id": null

// json::dump that never throws (invalid UTF-8 becomes U+FFFD).
std::string dump(const json& value, int indent = -1);

}  // namespace airlock::mcp::jsonrpc
